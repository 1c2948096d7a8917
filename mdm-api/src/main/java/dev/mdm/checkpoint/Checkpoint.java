package dev.mdm.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mdm.CheckpointException;
import dev.mdm.ConfigurationException;
import dev.mdm.InvalidInputException;
import dev.mdm.MdmConfig;
import dev.mdm.model.Parameters;
import dev.mdm.tensor.DType;
import dev.mdm.tensor.Tensor;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An MDM model file: the parameters of SPEC §12 and the {@link MdmConfig} they belong to, optionally the optimizer
 * state of a training run and the tokenizer model, in one safetensors file that PyTorch users can open.
 *
 * <p>Layout: parameters under their SPEC names; optimizer state under {@code adam.*} and {@code ema.*} (as
 * {@link dev.mdm.model.TrainingSession#optimizerState()} names it); the tokenizer model's bytes as the U8 vector
 * {@value #TOKENIZER_TENSOR}. Metadata: {@value #CONFIG_KEY} (the config's JSON), {@value #FORMAT_KEY}
 * ({@value #FORMAT_VERSION}), {@value #BACKEND_KEY} (the backend that wrote it, with its version), {@value #CREATED_KEY}
 * (ISO-8601 instant), {@value #TRAINING_KEY} (the training settings of the run that wrote it, a JSON object of strings,
 * when it has any) and {@value Safetensors#SHA256_KEY}. Immutable.
 */
public final class Checkpoint {
    /** Metadata key of the model configuration, as {@link MdmConfig#toJson()}. */
    public static final String CONFIG_KEY = "mdm.config";
    /** Metadata key of the file format version. */
    public static final String FORMAT_KEY = "mdm.format";
    /** Metadata key naming the backend (and its version) that wrote the file. */
    public static final String BACKEND_KEY = "mdm.backend";
    /** Metadata key of the instant the file was written, ISO-8601. */
    public static final String CREATED_KEY = "mdm.created";
    /**
     * Metadata key of the settings of the training run that wrote the file, a JSON object of strings (see
     * {@link #trainingSettings()}).
     */
    public static final String TRAINING_KEY = "mdm.training";
    /** The format version this class writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** Name of the U8 tensor holding the tokenizer model's bytes. */
    public static final String TOKENIZER_TENSOR = "tokenizer.model";
    /** Name prefixes of optimizer state, kept apart from the parameters. */
    public static final List<String> OPTIMIZER_PREFIXES = List.of("adam.", "ema.");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MdmConfig config;
    private final Parameters parameters;
    private final Parameters optimizerState;
    private final byte[] tokenizerModel;
    private final String backend;
    private final Instant created;
    private final Path source;
    private final Map<String, String> trainingSettings;

    private Checkpoint(MdmConfig config, Parameters parameters, Parameters optimizerState, byte[] tokenizerModel,
            String backend, Instant created, Path source, Map<String, String> trainingSettings) {
        this.config = config;
        this.parameters = parameters;
        this.optimizerState = optimizerState;
        this.tokenizerModel = tokenizerModel;
        this.backend = backend;
        this.created = created;
        this.source = source;
        this.trainingSettings = trainingSettings;
    }

    /**
     * @param config model sizes
     * @param parameters every parameter of {@code config}'s layout, nothing else
     * @return a checkpoint without optimizer state or tokenizer
     * @throws InvalidInputException listing every missing, unexpected or misshaped parameter
     */
    public static Checkpoint of(MdmConfig config, Parameters parameters) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(parameters, "parameters").requireLayout(config);
        return new Checkpoint(config, parameters, Parameters.empty(), null, null, null, null, Map.of());
    }

    /**
     * @param state optimizer state whose every name starts with {@code adam.} or {@code ema.}
     * @return a copy with that state
     * @throws InvalidInputException naming the first tensor outside those prefixes
     */
    public Checkpoint withOptimizerState(Parameters state) {
        Objects.requireNonNull(state, "state");
        for (String name : state.names()) {
            if (!isOptimizerName(name)) {
                throw new InvalidInputException("state", "names starting with " + OPTIMIZER_PREFIXES, "'" + name + "'");
            }
        }
        return new Checkpoint(config, parameters, state, tokenizerModel, backend, created, source, trainingSettings);
    }

    /**
     * @param model the serialized tokenizer model (e.g. a SentencePiece {@code .model} file); copied
     * @return a copy carrying it
     */
    public Checkpoint withTokenizerModel(byte[] model) {
        Objects.requireNonNull(model, "model");
        return new Checkpoint(config, parameters, optimizerState, model.clone(), backend, created, source,
                trainingSettings);
    }

    /**
     * @param description the backend that produced the weights, with its version, e.g. {@code "djl 0.1.0 (cpu, FP32)"}
     * @return a copy recording it
     */
    public Checkpoint withBackend(String description) {
        if (description == null || description.isBlank()) {
            throw new InvalidInputException("description", "a backend name and version", String.valueOf(description));
        }
        return new Checkpoint(config, parameters, optimizerState, tokenizerModel, description, created, source,
                trainingSettings);
    }

    /**
     * @param settings what the training run that writes this checkpoint was told, by name (e.g. {@code mdm train}'s
     *     options: {@code "--lr" → "1.25E-5"}), so that a run resumed from it can continue with them; copied, in order
     * @return a copy recording them
     * @throws InvalidInputException naming {@code settings} when a name or a value is null or a name is blank
     */
    public Checkpoint withTrainingSettings(Map<String, String> settings) {
        return new Checkpoint(config, parameters, optimizerState, tokenizerModel, backend, created, source,
                requireTrainingSettings("settings", settings));
    }

    /**
     * Checks training settings as {@link #withTrainingSettings} takes them, so that a trainer can refuse them when it
     * is built rather than at its first checkpoint.
     *
     * @param argument the name to report
     * @param settings names to values
     * @return an unmodifiable copy, in order
     * @throws InvalidInputException naming {@code argument} when the map, a name or a value is null or a name is blank
     */
    public static Map<String, String> requireTrainingSettings(String argument, Map<String, String> settings) {
        if (settings == null) {
            throw new InvalidInputException(argument, "a map of names to values (empty for none)", "null");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            if (name == null || name.isBlank() || value == null) {
                throw new InvalidInputException(argument, "non-blank names with non-null values",
                        "'" + name + "' → " + (value == null ? "null" : "'" + value + "'"));
            }
            copy.put(name, value);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** @return the model sizes */
    public MdmConfig config() {
        return config;
    }

    /** @return the model parameters, in the layout of {@link #config()} */
    public Parameters parameters() {
        return parameters;
    }

    /** @return the optimizer state ({@code adam.*}, {@code ema.*}); empty when none was saved */
    public Parameters optimizerState() {
        return optimizerState;
    }

    /** @return a copy of the tokenizer model's bytes, if the file has one */
    public Optional<byte[]> tokenizerModel() {
        return Optional.ofNullable(tokenizerModel).map(byte[]::clone);
    }

    /** @return the backend recorded as having written the weights, if known */
    public Optional<String> backend() {
        return Optional.ofNullable(backend);
    }

    /**
     * @return the settings of the training run that wrote the file, in the order it gave them; empty when it recorded
     *     none (a file written by {@code MDM.save}, or before {@value #TRAINING_KEY} existed)
     */
    public Map<String, String> trainingSettings() {
        return trainingSettings;
    }

    /** @return when the file was written; empty for a checkpoint not yet saved */
    public Optional<Instant> created() {
        return Optional.ofNullable(created);
    }

    /** @return the file this checkpoint was loaded from; empty for one built in memory */
    public Optional<Path> source() {
        return Optional.ofNullable(source);
    }

    /**
     * Writes the file atomically (see {@link Safetensors#write}); an existing file is replaced only once the new one
     * is complete on disk.
     *
     * @param path the file to create or replace
     * @throws CheckpointException if it cannot be written
     */
    public void save(Path path) {
        Objects.requireNonNull(path, "path");
        Map<String, Tensor> tensors = new LinkedHashMap<>(parameters.asMap());
        tensors.putAll(optimizerState.asMap());
        if (tokenizerModel != null) {
            tensors.put(TOKENIZER_TENSOR, Tensor.fromBytes(DType.U8, new int[] {tokenizerModel.length}, tokenizerModel));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, FORMAT_VERSION);
        metadata.put(CONFIG_KEY, config.toJson());
        if (backend != null) {
            metadata.put(BACKEND_KEY, backend);
        }
        metadata.put(CREATED_KEY, Instant.now().toString());
        if (!trainingSettings.isEmpty()) {
            try {
                metadata.put(TRAINING_KEY, JSON.writeValueAsString(trainingSettings));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a map of strings is always JSON", e);
            }
        }
        Safetensors.write(path, tensors, metadata);
    }

    /**
     * Reads and checks a model file: the safetensors rules (see {@link Safetensors#read}), the format version, the
     * config, and that the parameters are exactly the layout of that config.
     *
     * @param path an MDM checkpoint
     * @return its contents
     * @throws CheckpointException saying what is wrong with the file
     */
    public static Checkpoint load(Path path) {
        SafetensorsFile file = Safetensors.read(Objects.requireNonNull(path, "path"));
        Map<String, String> meta = file.metadata();
        String format = meta.get(FORMAT_KEY);
        if (format == null) {
            throw new CheckpointException(path + ": not an MDM checkpoint: the metadata has no " + FORMAT_KEY
                    + " (keys found: " + meta.keySet() + "); read plain safetensors files with Safetensors.read");
        }
        if (!format.equals(FORMAT_VERSION)) {
            throw new CheckpointException(path + ": " + FORMAT_KEY + " is '" + format + "' but this version of MDM reads "
                    + FORMAT_VERSION);
        }
        String json = meta.get(CONFIG_KEY);
        if (json == null) {
            throw new CheckpointException(path + ": the metadata has no " + CONFIG_KEY);
        }
        MdmConfig config;
        try {
            config = MdmConfig.fromJson(json);
        } catch (ConfigurationException e) {
            throw new CheckpointException(path + ": " + CONFIG_KEY + " is invalid: " + e.getMessage(), e);
        }
        Instant created = null;
        if (meta.containsKey(CREATED_KEY)) {
            try {
                created = Instant.parse(meta.get(CREATED_KEY));
            } catch (DateTimeParseException e) {
                throw new CheckpointException(path + ": " + CREATED_KEY + " is not an ISO-8601 instant: '"
                        + meta.get(CREATED_KEY) + "'", e);
            }
        }
        Map<String, String> training = Map.of();
        if (meta.containsKey(TRAINING_KEY)) {
            try {
                training = Collections.unmodifiableMap(JSON.readValue(meta.get(TRAINING_KEY),
                        new TypeReference<LinkedHashMap<String, String>>() { }));
            } catch (JsonProcessingException e) {
                throw new CheckpointException(path + ": " + TRAINING_KEY + " is not a JSON object of strings: "
                        + e.getOriginalMessage(), e);
            }
        }
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        byte[] tokenizer = null;
        for (var e : file.tensors().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name.equals(TOKENIZER_TENSOR)) {
                if (t.dtype() != DType.U8 || t.rank() != 1) {
                    throw new CheckpointException(path + ": " + TOKENIZER_TENSOR + " must be a U8 vector, got " + t);
                }
                tokenizer = t.toBytes();
            } else if (isOptimizerName(name)) {
                optimizer.put(name, t);
            } else {
                params.put(name, t);
            }
        }
        Parameters parameters = Parameters.of(params);
        try {
            parameters.requireLayout(config);
        } catch (InvalidInputException e) {
            throw new CheckpointException(path + ": the parameters do not match " + CONFIG_KEY + ": " + e.getMessage(), e);
        }
        return new Checkpoint(config, parameters, Parameters.of(optimizer), tokenizer, meta.get(BACKEND_KEY), created, path,
                training);
    }

    private static boolean isOptimizerName(String name) {
        return OPTIMIZER_PREFIXES.stream().anyMatch(name::startsWith);
    }

    @Override
    public String toString() {
        return "Checkpoint{" + (source != null ? source + ", " : "") + parameters + ", optimizer state "
                + optimizerState.size() + " tensors" + (tokenizerModel != null ? ", tokenizer " + tokenizerModel.length + " bytes" : "")
                + (backend != null ? ", backend " + backend : "") + "}";
    }
}
