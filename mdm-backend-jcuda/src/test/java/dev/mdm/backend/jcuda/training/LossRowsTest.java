package dev.mdm.backend.jcuda.training;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The host-side index lists VaeLossTrainer uploads each step, against the boxed forms they replaced. */
class LossRowsTest {
    @Test
    @DisplayName("the score entropy's rows are D4's: noised tokens per modality in order, candidates and sources mod M")
    void scoreEntropyRowsMatchTheListForm() {
        Random random = new Random(26);
        int[][] shapes = {{128, 212, 196, 4}, {3, 7, 4, 4}, {5, 9, 6, 9}, {2, 5, 3, 1}};
        for (int[] shape : shapes) {
            for (double density : new double[] {0, 0.1, 0.5, 1}) {
                int b = shape[0], tokens = shape[1], nImg = shape[2], k = shape[3];
                float[] mask = new float[b * tokens];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = random.nextDouble() < density ? 1 : 0;
                }
                VaeLossTrainer.ScoreEntropyRows rows = VaeLossTrainer.scoreEntropyRows(mask, b, tokens, nImg, k);
                int[][] expected = listForm(mask, b, tokens, nImg, k);
                String what = "b " + b + ", tokens " + tokens + ", k " + k + ", density " + density;
                assertThat(rows.tok()).as(what + ": tok").containsExactly(expected[0]);
                assertThat(rows.cand()).as(what + ": cand").containsExactly(expected[1]);
                assertThat(rows.src()).as(what + ": src").containsExactly(expected[2]);
                assertThat(new int[] {rows.imageRows(), rows.textRows()}).as(what + ": rows")
                        .containsExactly(expected[3]);
            }
        }
    }

    @Test
    @DisplayName("the embedding gradient's rows list each distinct id once, ascending, with its rows in order")
    void embeddingRowsMatchTheTreeMapForm() {
        Random random = new Random(27);
        for (int vocab : new int[] {1, 7, 512}) {
            for (int n : new int[] {0, 1, 12, 1536}) {
                int[] ids = random.ints(n, 0, vocab).toArray();
                VaeLossTrainer.EmbeddingRows rows = VaeLossTrainer.embeddingRows(ids, vocab);
                TreeMap<Integer, List<Integer>> byId = new TreeMap<>();
                for (int r = 0; r < ids.length; r++) {
                    byId.computeIfAbsent(ids[r], x -> new ArrayList<>()).add(r);
                }
                assertThat(rows.ids()).as("ids").containsExactly(byId.keySet().stream().mapToInt(i -> i).toArray());
                List<Integer> starts = new ArrayList<>();
                List<Integer> flat = new ArrayList<>();
                for (List<Integer> list : byId.values()) {
                    starts.add(flat.size());
                    flat.addAll(list);
                }
                starts.add(flat.size());
                assertThat(rows.start()).as("start").containsExactly(starts.stream().mapToInt(i -> i).toArray());
                assertThat(rows.rows()).as("rows").containsExactly(flat.stream().mapToInt(i -> i).toArray());
            }
        }
    }

    /** The boxed-list form of session 25 and before: tok, cand, src (each at least one long) and the two counts. */
    private static int[][] listForm(float[] mask, int b, int tokens, int nImg, int k) {
        int[] tok = new int[b * tokens];
        int[] cand = new int[b * tokens * k];
        int[] src = new int[b * tokens * k];
        int[] counts = new int[2];
        int row = 0;
        for (int modality = 0; modality < 2; modality++) {
            List<Integer> list = new ArrayList<>();
            for (int s = 0; s < b; s++) {
                for (int t = modality == 0 ? 0 : nImg; t < (modality == 0 ? nImg : tokens); t++) {
                    if (mask[s * tokens + t] == 1) {
                        list.add(s * tokens + t);
                    }
                }
            }
            int m = list.size();
            counts[modality] = m;
            for (int j = 0; j < m; j++) {
                tok[row + j] = list.get(j);
                for (int c = 0; c < k; c++) {
                    cand[(row + j) * k + c] = list.get((j + c) % m);
                    src[(row + j) * k + c] = row + Math.floorMod(j - c, m);
                }
            }
            row += m;
        }
        return new int[][] {java.util.Arrays.copyOf(tok, Math.max(row, 1)),
                java.util.Arrays.copyOf(cand, Math.max(row * k, 1)), java.util.Arrays.copyOf(src, Math.max(row * k, 1)),
                counts};
    }
}
