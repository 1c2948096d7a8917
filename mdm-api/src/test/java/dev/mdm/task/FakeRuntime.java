package dev.mdm.task;

import dev.mdm.MdmConfig;
import dev.mdm.model.Decoder;
import dev.mdm.model.Denoiser;
import dev.mdm.model.Encoder;
import dev.mdm.model.LatentDistribution;
import dev.mdm.model.LossFunction;
import dev.mdm.model.MambaBlock;
import dev.mdm.model.OptimizerSettings;
import dev.mdm.model.Parameters;
import dev.mdm.model.ScanSwitch;
import dev.mdm.model.TrainingSession;
import dev.mdm.spi.ModelRuntime;
import dev.mdm.tensor.Tensor;
import dev.mdm.text.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model with known, simple functions, for testing the task layer without a backend (tiny sizes).
 *
 * <ul>
 *   <li>image encoder: μ of a patch token = [mean of its pixels, 0.25, −0.25, token index / 100], log σ² = 0;
 *   <li>text encoder: μ of id = [id / 8, 1, 0, 0];
 *   <li>image decoder: every pixel of a token = latent[0]; text decoder: logits peak at round(8·latent[0]);
 *   <li>denoiser: x̂0 = {@link #imageTarget} at image tokens (its first coordinate plus class/10 for a real class),
 *       the latent of {@link #textTarget} ids at text tokens, whose first coordinate moves with the image when
 *       {@link #textFollowsImage} is set; every call is recorded.
 * </ul>
 */
public final class FakeRuntime implements ModelRuntime {
    final MdmConfig config;
    final List<Call> calls = new ArrayList<>();
    double imageTarget = 0.3;
    long[] textTarget;
    /** x̂0 at text tokens adds this times the first coordinate of the sample's first image latent (0: text ignores the image). */
    double textFollowsImage;

    /** One denoiser call. */
    record Call(Tensor latents, double[] time, long[] classes) {
    }

    public FakeRuntime(MdmConfig config) {
        this.config = config;
        textTarget = new long[config.textLength()];
        Arrays.fill(textTarget, 0);
    }

    static double[] textLatent(long id) {
        return new double[] {id / 8.0, 1, 0, 0};
    }

    @Override
    public MdmConfig config() {
        return config;
    }

    @Override
    public Encoder encoder() {
        return new Encoder() {
            @Override
            public LatentDistribution encodeImage(Tensor images) {
                int b = images.dim(0);
                int p = config.patch();
                int gw = config.imageWidth() / p;
                int n = config.imageTokens();
                double[] px = images.toDoubleArray();
                double[] mu = new double[b * n * 4];
                for (int i = 0; i < b; i++) {
                    for (int k = 0; k < n; k++) {
                        double sum = 0;
                        for (int dy = 0; dy < p; dy++) {
                            for (int dx = 0; dx < p; dx++) {
                                int y = (k / gw) * p + dy;
                                int x = (k % gw) * p + dx;
                                sum += px[i * config.imageHeight() * config.imageWidth() + y * config.imageWidth() + x];
                            }
                        }
                        int o = (i * n + k) * 4;
                        mu[o] = sum / (p * p);
                        mu[o + 1] = 0.25;
                        mu[o + 2] = -0.25;
                        mu[o + 3] = k / 100.0;
                    }
                }
                return new LatentDistribution(Tensor.of(mu, b, n, 4), Tensor.zeros(b, n, 4));
            }

            @Override
            public LatentDistribution encodeText(Tensor tokens) {
                long[] ids = tokens.toLongArray();
                double[] mu = new double[ids.length * 4];
                for (int i = 0; i < ids.length; i++) {
                    System.arraycopy(textLatent(ids[i]), 0, mu, i * 4, 4);
                }
                return new LatentDistribution(Tensor.of(mu, tokens.dim(0), tokens.dim(1), 4), Tensor.zeros(tokens.dim(0), tokens.dim(1), 4));
            }
        };
    }

    @Override
    public Decoder decoder() {
        return new Decoder() {
            @Override
            public Tensor decodeImage(Tensor latents) {
                int b = latents.dim(0);
                int p = config.patch();
                int gw = config.imageWidth() / p;
                double[] z = latents.toDoubleArray();
                int h = config.imageHeight();
                int w = config.imageWidth();
                double[] px = new double[b * h * w];
                for (int i = 0; i < b; i++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int k = (y / p) * gw + x / p;
                            px[i * h * w + y * w + x] = z[(i * config.imageTokens() + k) * 4];
                        }
                    }
                }
                return Tensor.of(px, b, 1, h, w);
            }

            @Override
            public Tensor decodeText(Tensor latents) {
                int b = latents.dim(0);
                int lt = latents.dim(1);
                int v = config.vocabSize();
                double[] z = latents.toDoubleArray();
                double[] logits = new double[b * lt * v];
                for (int i = 0; i < b * lt; i++) {
                    double peak = 8 * z[i * 4];
                    for (int j = 0; j < v; j++) {
                        logits[i * v + j] = -(j - peak) * (j - peak);
                    }
                }
                return Tensor.of(logits, b, lt, v);
            }
        };
    }

    @Override
    public Denoiser denoiser() {
        return (latents, timeInput, classIds) -> {
            int b = latents.dim(0);
            int n = config.latentTokens();
            int nImg = config.imageTokens();
            long[] classes = classIds.toLongArray();
            synchronized (calls) {
                calls.add(new Call(latents, timeInput.toDoubleArray(), classes));
            }
            double[] in = latents.toDoubleArray();
            double[] out = new double[b * n * 4];
            for (int i = 0; i < b; i++) {
                for (int k = 0; k < n; k++) {
                    int o = (i * n + k) * 4;
                    if (k < nImg) {
                        out[o] = imageTarget + (classes[i] < config.classes() ? classes[i] / 10.0 : 0);
                    } else {
                        System.arraycopy(textLatent(textTarget[k - nImg]), 0, out, o, 4);
                        out[o] += textFollowsImage * in[i * n * 4];
                    }
                }
            }
            return Tensor.of(out, b, n, 4);
        };
    }

    @Override
    public ScanSwitch scanSwitch() {
        throw new UnsupportedOperationException("not needed by the task layer");
    }

    @Override
    public MambaBlock block(int index) {
        throw new UnsupportedOperationException("not needed by the task layer");
    }

    @Override
    public LossFunction loss() {
        throw new UnsupportedOperationException("not needed by the task layer");
    }

    @Override
    public Parameters parameters() {
        return Parameters.empty();
    }

    @Override
    public TrainingSession train(OptimizerSettings settings, Parameters resumeState) {
        throw new UnsupportedOperationException("fake runtime: no TRAINING");
    }

    @Override
    public void close() {
    }

    /** Words "wN" are id N; pad 0, eos 2. */
    public static final class WordTokenizer implements Tokenizer {
        @Override
        public int vocabSize() {
            return 64;
        }

        @Override
        public int padId() {
            return 0;
        }

        @Override
        public int eosId() {
            return 2;
        }

        @Override
        public int[] encode(String text) {
            return Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty()).mapToInt(w -> Integer.parseInt(w.substring(1))).toArray();
        }

        @Override
        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                if (id == 0 || id == 2) {
                    break;
                }
                sb.append(sb.isEmpty() ? "" : " ").append('w').append(id);
            }
            return sb.toString();
        }
    }
}
