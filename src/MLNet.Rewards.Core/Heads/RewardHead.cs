namespace MLNet.Rewards.Heads;

/// <summary>
/// A differentiable map from a feature vector to a scalar reward. All parameters live in one contiguous
/// <see cref="Parameters"/> buffer, described by <see cref="Layout"/>, so optimisers, ensembles and persistence
/// treat every head alike.
/// </summary>
public abstract class RewardHead
{
    /// <summary>Creates a head over <paramref name="parameterCount"/> parameters.</summary>
    protected RewardHead(int inputDimension, int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDimension, 1);
        InputDimension = inputDimension;
        Parameters = new float[parameterCount];
    }

    /// <summary>Length of the feature vectors this head scores.</summary>
    public int InputDimension { get; }

    /// <summary>Every trainable parameter, in the order given by <see cref="Layout"/>.</summary>
    public float[] Parameters { get; }

    /// <summary>The architecture, for manifests and for creating a fresh head of the same shape.</summary>
    public abstract HeadSpec Spec { get; }

    /// <summary>The named tensors that make up <see cref="Parameters"/>, in order.</summary>
    internal abstract IReadOnlyList<TensorSlice> Layout { get; }

    /// <summary>Scratch space for <see cref="Forward"/> and <see cref="Backward"/> on up to <paramref name="maxRows"/> rows at a time.</summary>
    internal abstract HeadWorkspace CreateWorkspace(int maxRows);

    /// <summary>Rewards of <paramref name="rows"/> feature rows (row-major); keeps in <paramref name="workspace"/> what <see cref="Backward"/> needs.</summary>
    internal abstract void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards);

    /// <summary>
    /// Adds to <paramref name="gradient"/> (laid out like <see cref="Parameters"/>) the gradient of Σ_i rewardGradients[i]·r_i,
    /// using the activations kept by the last <see cref="Forward"/> on the same rows.
    /// </summary>
    internal abstract void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient);

    /// <summary>The reward of one feature vector.</summary>
    public float Score(ReadOnlySpan<float> features)
    {
        Span<float> reward = stackalloc float[1];
        Forward(features, 1, CreateWorkspace(1), reward);
        return reward[0];
    }

    /// <summary>Rewards of many feature rows, in blocks, spread over the cores (one block runs on the calling thread).</summary>
    public void Score(FloatMatrix features, Span<float> rewards)
    {
        if (features.Columns != InputDimension)
        {
            throw new ArgumentException($"features have {features.Columns} columns, the head expects {InputDimension}", nameof(features));
        }

        const int Block = 256;
        if (features.Rows is > 0 and <= Block)
        {
            Forward(features.Data.AsSpan(0, features.Rows * InputDimension), features.Rows, CreateWorkspace(Math.Max(1, features.Rows)), rewards[..features.Rows]);
            return;
        }

        float[] output = new float[features.Rows];
        int blocks = (features.Rows + Block - 1) / Block;
        Parallel.For(0, blocks, () => CreateWorkspace(Block), (b, _, workspace) =>
        {
            int start = b * Block;
            int count = Math.Min(Block, features.Rows - start);
            Forward(features.Data.AsSpan(start * InputDimension, count * InputDimension), count, workspace, output.AsSpan(start, count));
            return workspace;
        }, _ => { });
        output.CopyTo(rewards);
    }

    /// <summary>A copy of this head with the same architecture and parameters.</summary>
    public RewardHead Clone()
    {
        var copy = Spec.Create(InputDimension, 0);
        Parameters.CopyTo(copy.Parameters, 0);
        return copy;
    }
}

/// <summary>Per-thread scratch buffers of a head; never shared between threads.</summary>
internal abstract class HeadWorkspace
{
    /// <summary>Most rows this workspace can hold.</summary>
    public abstract int MaxRows { get; }
}

/// <summary>A named tensor inside a head's parameter buffer.</summary>
/// <param name="Name">Tensor name, as stored in the safetensors file.</param>
/// <param name="Offset">First element in the parameter buffer.</param>
/// <param name="Shape">Tensor shape; the element count is the product.</param>
internal sealed record TensorSlice(string Name, int Offset, int[] Shape)
{
    /// <summary>Number of elements.</summary>
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}
