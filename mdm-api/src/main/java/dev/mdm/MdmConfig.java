package dev.mdm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Every size and hyper-parameter of one MDM model (SPEC §1). Immutable; build with {@link #builder()} or start from a
 * preset ({@link #tiny()}, {@link #fashion()}, {@link #paper()}) and change fields with {@link #toBuilder()}.
 * {@link Builder#build()} reports every violated rule at once.
 */
public final class MdmConfig {
    private final int imageChannels;
    private final int imageHeight;
    private final int imageWidth;
    private final int patch;
    private final int vocabSize;
    private final int textLength;
    private final int latentDim;
    private final int vaeHidden;
    private final int dModel;
    private final int blocks;
    private final int dState;
    private final int dConv;
    private final int expand;
    private final int headDim;
    private final int nGroups;
    private final int chunkSize;
    private final int imageScans;
    private final int textScans;
    private final Discretization discretization;
    private final int classes;
    private final int timesteps;
    private final double betaStart;
    private final double betaEnd;
    private final double klWeight;
    private final double seWeight;
    private final int seCandidates;

    private MdmConfig(Builder b) {
        imageChannels = b.imageChannels;
        imageHeight = b.imageHeight;
        imageWidth = b.imageWidth;
        patch = b.patch;
        vocabSize = b.vocabSize;
        textLength = b.textLength;
        latentDim = b.latentDim;
        vaeHidden = b.vaeHidden;
        dModel = b.dModel;
        blocks = b.blocks;
        dState = b.dState;
        dConv = b.dConv;
        expand = b.expand;
        headDim = b.headDim;
        nGroups = b.nGroups;
        chunkSize = b.chunkSize;
        imageScans = b.imageScans;
        textScans = b.textScans;
        discretization = b.discretization;
        classes = b.classes;
        timesteps = b.timesteps;
        betaStart = b.betaStart;
        betaEnd = b.betaEnd;
        klWeight = b.klWeight;
        seWeight = b.seWeight;
        seCandidates = b.seCandidates;
    }

    /** @return the preset used by the TCK and CI: 1×8×8 images, 8 text tokens, d = 32, 2 blocks */
    public static MdmConfig tiny() {
        return builder().build();
    }

    /** @return the Fashion-MNIST preset: 1×28×28 images, 12 text tokens, d = 256, 8 blocks */
    public static MdmConfig fashion() {
        return builder().image(1, 28, 28).vocabSize(512).textLength(12).latentDim(8).vaeHidden(128)
                .dModel(256).blocks(8).dState(64).headDim(32).chunkSize(64).classes(10).build();
    }

    /** @return the paper's size (performance work only): a 4×32×32 latent grid, d = 2048, 49 blocks */
    public static MdmConfig paper() {
        return builder().image(4, 32, 32).vocabSize(32000).textLength(64).latentDim(16).vaeHidden(1024)
                .dModel(2048).blocks(49).dState(128).headDim(64).chunkSize(256).classes(1000).build();
    }

    /**
     * @param name {@code tiny}, {@code fashion} or {@code paper}
     * @return that preset
     */
    public static MdmConfig preset(String name) {
        return switch (Objects.requireNonNull(name, "name")) {
            case "tiny" -> tiny();
            case "fashion" -> fashion();
            case "paper" -> paper();
            default -> throw new InvalidInputException("preset", "one of tiny, fashion, paper", "'" + name + "'");
        };
    }

    /** @return a builder holding the {@code tiny} values */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- fields ----

    /** @return image channels C */
    public int imageChannels() { return imageChannels; }
    /** @return image height H */
    public int imageHeight() { return imageHeight; }
    /** @return image width W */
    public int imageWidth() { return imageWidth; }
    /** @return patch side p */
    public int patch() { return patch; }
    /** @return text vocabulary size V */
    public int vocabSize() { return vocabSize; }
    /** @return text tokens per sample Lt */
    public int textLength() { return textLength; }
    /** @return VAE latent size per token dz */
    public int latentDim() { return latentDim; }
    /** @return VAE MLP width */
    public int vaeHidden() { return vaeHidden; }
    /** @return decoder width d */
    public int dModel() { return dModel; }
    /** @return number of Mamba blocks M */
    public int blocks() { return blocks; }
    /** @return SSM state size N */
    public int dState() { return dState; }
    /** @return causal convolution width */
    public int dConv() { return dConv; }
    /** @return inner expansion factor */
    public int expand() { return expand; }
    /** @return SSM head dimension P */
    public int headDim() { return headDim; }
    /** @return number of B/C groups G */
    public int nGroups() { return nGroups; }
    /** @return SSD chunk length (speed only, never semantics) */
    public int chunkSize() { return chunkSize; }
    /** @return image scan orders used, 1, 2 or 4 */
    public int imageScans() { return imageScans; }
    /** @return text scan orders used, 1 or 2 */
    public int textScans() { return textScans; }
    /** @return SSM discretization */
    public Discretization discretization() { return discretization; }
    /** @return number of classes (the null class for guidance is index {@code classes}) */
    public int classes() { return classes; }
    /** @return diffusion steps T */
    public int timesteps() { return timesteps; }
    /** @return first β of the linear schedule */
    public double betaStart() { return betaStart; }
    /** @return last β of the linear schedule */
    public double betaEnd() { return betaEnd; }
    /** @return KL weight β of Eq. 18 */
    public double klWeight() { return klWeight; }
    /** @return score-entropy weight λ of Eq. 18 */
    public double seWeight() { return seWeight; }
    /** @return score-entropy candidate count K */
    public int seCandidates() { return seCandidates; }

    // ---- derived sizes ----

    /** @return d_inner = expand·d */
    public int dInner() { return expand * dModel; }
    /** @return SSM heads H = d_inner / P */
    public int heads() { return dInner() / headDim; }
    /** @return patch-grid rows h' = H/p */
    public int gridHeight() { return imageHeight / patch; }
    /** @return patch-grid columns w' = W/p */
    public int gridWidth() { return imageWidth / patch; }
    /** @return image tokens n_img = h'·w' */
    public int imageTokens() { return gridHeight() * gridWidth(); }
    /** @return values per image patch, C·p² */
    public int patchDim() { return imageChannels * patch * patch; }
    /** @return latent tokens per sample, n_img + Lt (image first, then text) */
    public int latentTokens() { return imageTokens() + textLength; }
    /** @return full sequence length L = 4 + n_img + Lt (SPEC §2) */
    public int sequenceLength() { return 4 + imageTokens() + textLength; }
    /** @return index of the first image token in the sequence */
    public int imageOffset() { return 3; }
    /** @return index of the first text token in the sequence */
    public int textOffset() { return 4 + imageTokens(); }
    /** @return in_proj output rows, 2·d_inner + 2·G·N + H */
    public int inProjRows() { return 2 * dInner() + 2 * nGroups * dState + heads(); }
    /** @return conv1d channels, d_inner + 2·G·N */
    public int convChannels() { return dInner() + 2 * nGroups * dState; }

    // ---- JSON ----

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @return this configuration as a flat JSON object (field names as the accessors) */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("imageChannels", imageChannels).put("imageHeight", imageHeight).put("imageWidth", imageWidth)
                .put("patch", patch).put("vocabSize", vocabSize).put("textLength", textLength)
                .put("latentDim", latentDim).put("vaeHidden", vaeHidden).put("dModel", dModel).put("blocks", blocks)
                .put("dState", dState).put("dConv", dConv).put("expand", expand).put("headDim", headDim)
                .put("nGroups", nGroups).put("chunkSize", chunkSize).put("imageScans", imageScans)
                .put("textScans", textScans).put("discretization", discretization.name()).put("classes", classes)
                .put("timesteps", timesteps).put("betaStart", betaStart).put("betaEnd", betaEnd)
                .put("klWeight", klWeight).put("seWeight", seWeight).put("seCandidates", seCandidates);
        return o.toString();
    }

    /**
     * Reads a configuration written by {@link #toJson()}. Absent fields keep the {@code tiny} values; unknown fields,
     * wrong types and invalid values are all reported in one {@link ConfigurationException}.
     *
     * @param json the JSON text
     * @return the configuration
     */
    public static MdmConfig fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(Objects.requireNonNull(json, "json"));
        } catch (JsonProcessingException e) {
            throw new ConfigurationException("MdmConfig JSON", List.of("not valid JSON: " + e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ConfigurationException("MdmConfig JSON", List.of("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType())));
        }
        Builder b = builder();
        List<String> problems = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            JsonNode v = root.get(f);
            try {
                b.set(f, v);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("MdmConfig JSON", problems);
        }
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MdmConfig c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "MdmConfig" + toJson();
    }

    /**
     * Mutable builder for {@link MdmConfig}. Setters store values; {@link #build()} checks every rule of SPEC §1 and
     * reports all violations together.
     */
    public static final class Builder {
        private int imageChannels = 1;
        private int imageHeight = 8;
        private int imageWidth = 8;
        private int patch = 2;
        private int vocabSize = 64;
        private int textLength = 8;
        private int latentDim = 4;
        private int vaeHidden = 16;
        private int dModel = 32;
        private int blocks = 2;
        private int dState = 8;
        private int dConv = 4;
        private int expand = 2;
        private int headDim = 8;
        private int nGroups = 1;
        private int chunkSize = 8;
        private int imageScans = 4;
        private int textScans = 2;
        private Discretization discretization = Discretization.ZOH;
        private int classes = 4;
        private int timesteps = 1000;
        private double betaStart = 1e-4;
        private double betaEnd = 0.02;
        private double klWeight = 1e-3;
        private double seWeight = 0.1;
        private int seCandidates = 4;

        private Builder() {
        }

        private Builder(MdmConfig c) {
            imageChannels = c.imageChannels;
            imageHeight = c.imageHeight;
            imageWidth = c.imageWidth;
            patch = c.patch;
            vocabSize = c.vocabSize;
            textLength = c.textLength;
            latentDim = c.latentDim;
            vaeHidden = c.vaeHidden;
            dModel = c.dModel;
            blocks = c.blocks;
            dState = c.dState;
            dConv = c.dConv;
            expand = c.expand;
            headDim = c.headDim;
            nGroups = c.nGroups;
            chunkSize = c.chunkSize;
            imageScans = c.imageScans;
            textScans = c.textScans;
            discretization = c.discretization;
            classes = c.classes;
            timesteps = c.timesteps;
            betaStart = c.betaStart;
            betaEnd = c.betaEnd;
            klWeight = c.klWeight;
            seWeight = c.seWeight;
            seCandidates = c.seCandidates;
        }

        /**
         * @param channels C
         * @param height H
         * @param width W
         * @return this builder
         */
        public Builder image(int channels, int height, int width) {
            imageChannels = channels;
            imageHeight = height;
            imageWidth = width;
            return this;
        }

        /**
         * @param v patch side
         * @return this builder
         */
        public Builder patch(int v) { patch = v; return this; }
        /**
         * @param v vocabulary size
         * @return this builder
         */
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        /**
         * @param v text tokens per sample
         * @return this builder
         */
        public Builder textLength(int v) { textLength = v; return this; }
        /**
         * @param v latent size per token
         * @return this builder
         */
        public Builder latentDim(int v) { latentDim = v; return this; }
        /**
         * @param v VAE MLP width
         * @return this builder
         */
        public Builder vaeHidden(int v) { vaeHidden = v; return this; }
        /**
         * @param v decoder width
         * @return this builder
         */
        public Builder dModel(int v) { dModel = v; return this; }
        /**
         * @param v Mamba blocks
         * @return this builder
         */
        public Builder blocks(int v) { blocks = v; return this; }
        /**
         * @param v SSM state size
         * @return this builder
         */
        public Builder dState(int v) { dState = v; return this; }
        /**
         * @param v conv width
         * @return this builder
         */
        public Builder dConv(int v) { dConv = v; return this; }
        /**
         * @param v inner expansion
         * @return this builder
         */
        public Builder expand(int v) { expand = v; return this; }
        /**
         * @param v head dimension
         * @return this builder
         */
        public Builder headDim(int v) { headDim = v; return this; }
        /**
         * @param v B/C groups
         * @return this builder
         */
        public Builder nGroups(int v) { nGroups = v; return this; }
        /**
         * @param v SSD chunk length
         * @return this builder
         */
        public Builder chunkSize(int v) { chunkSize = v; return this; }
        /**
         * @param v image scan orders (1, 2 or 4)
         * @return this builder
         */
        public Builder imageScans(int v) { imageScans = v; return this; }
        /**
         * @param v text scan orders (1 or 2)
         * @return this builder
         */
        public Builder textScans(int v) { textScans = v; return this; }
        /**
         * @param v discretization
         * @return this builder
         */
        public Builder discretization(Discretization v) { discretization = v; return this; }
        /**
         * @param v number of classes
         * @return this builder
         */
        public Builder classes(int v) { classes = v; return this; }
        /**
         * @param v diffusion steps T
         * @return this builder
         */
        public Builder timesteps(int v) { timesteps = v; return this; }
        /**
         * @param start first β
         * @param end last β
         * @return this builder
         */
        public Builder betas(double start, double end) { betaStart = start; betaEnd = end; return this; }
        /**
         * @param v KL weight
         * @return this builder
         */
        public Builder klWeight(double v) { klWeight = v; return this; }
        /**
         * @param v score-entropy weight (0 allowed)
         * @return this builder
         */
        public Builder seWeight(double v) { seWeight = v; return this; }
        /**
         * @param v score-entropy candidates
         * @return this builder
         */
        public Builder seCandidates(int v) { seCandidates = v; return this; }

        private void set(String field, JsonNode v) {
            switch (field) {
                case "discretization" -> {
                    if (!v.isTextual()) {
                        throw new IllegalArgumentException("discretization: expected \"ZOH\" or \"EULER\", got " + v);
                    }
                    try {
                        discretization = Discretization.valueOf(v.asText());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("discretization: expected \"ZOH\" or \"EULER\", got " + v, e);
                    }
                }
                case "betaStart", "betaEnd", "klWeight", "seWeight" -> {
                    if (!v.isNumber()) {
                        throw new IllegalArgumentException(field + ": expected a number, got " + v);
                    }
                    double d = v.asDouble();
                    switch (field) {
                        case "betaStart" -> betaStart = d;
                        case "betaEnd" -> betaEnd = d;
                        case "klWeight" -> klWeight = d;
                        default -> seWeight = d;
                    }
                }
                default -> {
                    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                        throw new IllegalArgumentException(field + ": expected an integer, got " + v);
                    }
                    int i = v.asInt();
                    switch (field) {
                        case "imageChannels" -> imageChannels = i;
                        case "imageHeight" -> imageHeight = i;
                        case "imageWidth" -> imageWidth = i;
                        case "patch" -> patch = i;
                        case "vocabSize" -> vocabSize = i;
                        case "textLength" -> textLength = i;
                        case "latentDim" -> latentDim = i;
                        case "vaeHidden" -> vaeHidden = i;
                        case "dModel" -> dModel = i;
                        case "blocks" -> blocks = i;
                        case "dState" -> dState = i;
                        case "dConv" -> dConv = i;
                        case "expand" -> expand = i;
                        case "headDim" -> headDim = i;
                        case "nGroups" -> nGroups = i;
                        case "chunkSize" -> chunkSize = i;
                        case "imageScans" -> imageScans = i;
                        case "textScans" -> textScans = i;
                        case "classes" -> classes = i;
                        case "timesteps" -> timesteps = i;
                        case "seCandidates" -> seCandidates = i;
                        default -> throw new IllegalArgumentException(field + ": unknown field");
                    }
                }
            }
        }

        /**
         * @return the configuration
         * @throws ConfigurationException listing every violated rule
         */
        public MdmConfig build() {
            List<String> v = new ArrayList<>();
            positive(v, "imageChannels", imageChannels);
            positive(v, "imageHeight", imageHeight);
            positive(v, "imageWidth", imageWidth);
            positive(v, "patch", patch);
            positive(v, "vocabSize", vocabSize);
            positive(v, "textLength", textLength);
            positive(v, "latentDim", latentDim);
            positive(v, "vaeHidden", vaeHidden);
            positive(v, "dModel", dModel);
            positive(v, "blocks", blocks);
            positive(v, "dState", dState);
            positive(v, "dConv", dConv);
            positive(v, "expand", expand);
            positive(v, "headDim", headDim);
            positive(v, "nGroups", nGroups);
            positive(v, "chunkSize", chunkSize);
            positive(v, "classes", classes);
            positive(v, "timesteps", timesteps);
            positive(v, "seCandidates", seCandidates);
            if (patch > 0 && imageHeight > 0 && imageHeight % patch != 0) {
                v.add("imageHeight (" + imageHeight + ") must be a multiple of patch (" + patch + ")");
            }
            if (patch > 0 && imageWidth > 0 && imageWidth % patch != 0) {
                v.add("imageWidth (" + imageWidth + ") must be a multiple of patch (" + patch + ")");
            }
            long dInner = (long) expand * dModel;
            if (headDim > 0 && dInner > 0 && dInner % headDim != 0) {
                v.add("expand·dModel (" + dInner + ") must be a multiple of headDim (" + headDim + ")");
            }
            if (headDim > 0 && nGroups > 0 && dInner > 0 && dInner % headDim == 0 && (dInner / headDim) % nGroups != 0) {
                v.add("heads (" + dInner / headDim + ") must be a multiple of nGroups (" + nGroups + ")");
            }
            if (imageScans != 1 && imageScans != 2 && imageScans != 4) {
                v.add("imageScans must be 1, 2 or 4, got " + imageScans);
            }
            if (textScans != 1 && textScans != 2) {
                v.add("textScans must be 1 or 2, got " + textScans);
            }
            if (discretization == null) {
                v.add("discretization must be ZOH or EULER, got null");
            }
            if (!(betaStart > 0 && betaStart < 1)) {
                v.add("betaStart must be in (0, 1), got " + betaStart);
            }
            if (!(betaEnd > 0 && betaEnd < 1)) {
                v.add("betaEnd must be in (0, 1), got " + betaEnd);
            }
            if (betaStart > betaEnd) {
                v.add("betaStart (" + betaStart + ") must not exceed betaEnd (" + betaEnd + ")");
            }
            if (!(klWeight >= 0) || Double.isInfinite(klWeight)) {
                v.add("klWeight must be a finite number >= 0, got " + klWeight);
            }
            if (!(seWeight >= 0) || Double.isInfinite(seWeight)) {
                v.add("seWeight must be a finite number >= 0, got " + seWeight);
            }
            if (!v.isEmpty()) {
                throw new ConfigurationException("MdmConfig", v);
            }
            return new MdmConfig(this);
        }

        private static void positive(List<String> v, String field, int value) {
            if (value <= 0) {
                v.add(field + " must be > 0, got " + value);
            }
        }
    }
}
