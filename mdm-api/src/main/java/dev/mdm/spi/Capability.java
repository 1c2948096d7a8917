package dev.mdm.spi;

/** What a backend can do beyond inference. The TCK skips, with a stated reason, the rules a backend lacks. */
public enum Capability {
    /** Losses with gradients, optimizer steps, EMA ({@link dev.mdm.model.TrainingSession}). */
    TRAINING,
    /** Computes on a GPU. */
    GPU,
    /** Can compute in bf16 ({@link dev.mdm.Precision#BF16}). */
    BF16,
    /** Can compute in float64 ({@link dev.mdm.Precision#FP64}). */
    FP64,
    /** Can write the model as ONNX files. */
    ONNX_EXPORT,
    /** Replays denoising steps as CUDA graphs. */
    CUDA_GRAPHS
}
