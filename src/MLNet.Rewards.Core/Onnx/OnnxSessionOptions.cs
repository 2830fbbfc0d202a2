namespace MLNet.Rewards.Onnx;

/// <summary>How much ONNX Runtime rewrites the graph when a session is created (<c>GraphOptimizationLevel</c>).</summary>
public enum OnnxGraphOptimizationLevel
{
    /// <summary>No rewriting.</summary>
    Disabled = 0,

    /// <summary>Constant folding and redundant-node removal.</summary>
    Basic = 1,

    /// <summary>Also fusions of common subgraphs (attention, layer norm, GELU).</summary>
    Extended = 2,

    /// <summary>Everything, including layout optimisations.</summary>
    All = 99,
}

/// <summary>Where an <see cref="OnnxSession"/> runs its operators.</summary>
public enum OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (in the Microsoft.ML.OnnxRuntime package this library references).</summary>
    Cpu,

    /// <summary>
    /// NVIDIA CUDA, with the CPU provider for operators CUDA lacks. Needs the CUDA build of ONNX Runtime: the application
    /// references Microsoft.ML.OnnxRuntime.Gpu 1.31.0 (which replaces the CPU package's native library), on a machine with
    /// CUDA 12 and cuDNN 9. With the CPU-only package, creating a session fails with an error saying so.
    /// </summary>
    Cuda,
}

/// <summary>Settings of an <see cref="OnnxSession"/>.</summary>
public sealed record OnnxSessionOptions
{
    /// <summary>Threads used inside one operator (0 = ONNX Runtime's default: one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads used to run independent operators at once when <see cref="ParallelExecution"/> is on (0 = default).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>Run independent branches of the graph in parallel (ONNX Runtime's ORT_PARALLEL) instead of one operator at a time.</summary>
    public bool ParallelExecution { get; init; }

    /// <summary>Graph optimisation level.</summary>
    public OnnxGraphOptimizationLevel OptimizationLevel { get; init; } = OnnxGraphOptimizationLevel.All;

    /// <summary>
    /// Let ONNX Runtime plan memory from the shapes of earlier runs. Helps when shapes repeat; a model whose input shapes
    /// change on every run (a growing KV cache) may do better without it.
    /// </summary>
    public bool MemoryPattern { get; init; } = true;

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin while waiting for work (session config entry
    /// <c>session.intra_op.allow_spinning</c>). Spinning lowers latency on a quiet machine and burns cores on a shared one.
    /// </summary>
    public bool AllowSpinning { get; init; } = true;

    /// <summary>The execution provider (default <see cref="OnnxExecutionProvider.Cpu"/>).</summary>
    public OnnxExecutionProvider ExecutionProvider { get; init; } = OnnxExecutionProvider.Cpu;

    /// <summary>The CUDA device with <see cref="OnnxExecutionProvider.Cuda"/>.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(IntraOpThreads >= 0, nameof(IntraOpThreads), IntraOpThreads, "must be 0 (default) or a positive thread count");
        OptionValidation.Require(InterOpThreads >= 0, nameof(InterOpThreads), InterOpThreads, "must be 0 (default) or a positive thread count");
        OptionValidation.Require(Enum.IsDefined(OptimizationLevel), nameof(OptimizationLevel), OptimizationLevel, "must be a known graph optimisation level");
        OptionValidation.Require(Enum.IsDefined(ExecutionProvider), nameof(ExecutionProvider), ExecutionProvider, "must be Cpu or Cuda");
        OptionValidation.Require(CudaDeviceId >= 0, nameof(CudaDeviceId), CudaDeviceId, "must be a device index, 0 or more");
    }
}
