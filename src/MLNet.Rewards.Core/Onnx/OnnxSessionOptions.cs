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

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        if (IntraOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "must be 0 (default) or a positive thread count");
        }

        if (InterOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InterOpThreads), InterOpThreads, "must be 0 (default) or a positive thread count");
        }

        if (!Enum.IsDefined(OptimizationLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(OptimizationLevel), OptimizationLevel, "unknown graph optimisation level");
        }
    }
}
