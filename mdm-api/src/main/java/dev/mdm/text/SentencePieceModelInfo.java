package dev.mdm.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the JNI binding does not expose about a SentencePiece model: the number of pieces and the special ids, read
 * from the model's protobuf ({@code sentencepiece_model.proto}: ModelProto.pieces = 1, ModelProto.trainer_spec = 2;
 * SentencePiece.piece = 1, .type = 3; TrainerSpec.unk_id = 40, bos_id = 41, eos_id = 42, pad_id = 43).
 *
 * <p>Knowing the piece count lets the tokenizer reject an id before native code sees it (the native library does
 * not check ids). Reading the bytes first also turns a file that is not a model into a clear error rather than a
 * native failure. Only the wire format is parsed; unknown fields are skipped as protobuf requires.
 *
 * @param pieces the piece strings, index = id
 * @param types the piece types (1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte), index = id
 * @param unkId the unknown id
 * @param bosId the begin-of-sentence id, or -1
 * @param eosId the end-of-sentence id, or -1
 * @param padId the pad id, or -1
 */
record SentencePieceModelInfo(List<String> pieces, int[] types, int unkId, int bosId, int eosId, int padId) {
    static final int TYPE_NORMAL = 1;
    static final int TYPE_CONTROL = 3;

    /**
     * @param model the bytes of a {@code .model} file
     * @return what it says
     * @throws IllegalArgumentException if the bytes are not a well-formed model
     */
    static SentencePieceModelInfo parse(byte[] model) {
        Wire w = new Wire(model, 0, model.length);
        List<String> pieces = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        int[] ids = {0, 1, 2, -1}; // proto defaults: unk, bos, eos, pad
        boolean sawTrainerSpec = false;
        while (w.more()) {
            long key = w.varint();
            int field = (int) (key >>> 3);
            int wireType = (int) (key & 7);
            if (field == 1 && wireType == 2) {
                Wire p = w.message();
                String piece = null;
                int type = TYPE_NORMAL;
                while (p.more()) {
                    long k = p.varint();
                    if (k >>> 3 == 1 && (k & 7) == 2) {
                        piece = p.string();
                    } else if (k >>> 3 == 3 && (k & 7) == 0) {
                        type = (int) p.varint();
                    } else {
                        p.skip((int) (k & 7));
                    }
                }
                if (piece == null) {
                    throw new IllegalArgumentException("piece " + pieces.size() + " has no text");
                }
                pieces.add(piece);
                types.add(type);
            } else if (field == 2 && wireType == 2) {
                sawTrainerSpec = true;
                Wire t = w.message();
                while (t.more()) {
                    long k = t.varint();
                    int f = (int) (k >>> 3);
                    if (f >= 40 && f <= 43 && (k & 7) == 0) {
                        ids[f - 40] = (int) t.varint();
                    } else {
                        t.skip((int) (k & 7));
                    }
                }
            } else {
                w.skip(wireType);
            }
        }
        if (pieces.isEmpty() || !sawTrainerSpec) {
            throw new IllegalArgumentException("no pieces or no trainer spec: not a SentencePiece model");
        }
        int[] t = types.stream().mapToInt(Integer::intValue).toArray();
        return new SentencePieceModelInfo(List.copyOf(pieces), t, ids[0], ids[1], ids[2], ids[3]);
    }

    /** A cursor over protobuf wire format in {@code bytes[pos, end)}. */
    private static final class Wire {
        private final byte[] bytes;
        private int pos;
        private final int end;

        Wire(byte[] bytes, int pos, int end) {
            this.bytes = bytes;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint at byte " + pos);
                }
                byte b = bytes[pos++];
                v |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint longer than 10 bytes at byte " + pos);
        }

        Wire message() {
            int n = length();
            Wire sub = new Wire(bytes, pos, pos + n);
            pos += n;
            return sub;
        }

        String string() {
            int n = length();
            String s = new String(bytes, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        private int length() {
            long n = varint();
            if (n < 0 || n > end - pos) {
                throw new IllegalArgumentException("length " + n + " at byte " + pos + " runs past the end (" + end + ")");
            }
            return (int) n;
        }

        void skip(int wireType) {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> advance(length());
                case 5 -> advance(4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " at byte " + pos);
            }
        }

        private void advance(int n) {
            if (n > end - pos) {
                throw new IllegalArgumentException("field runs past the end at byte " + pos);
            }
            pos += n;
        }
    }
}
