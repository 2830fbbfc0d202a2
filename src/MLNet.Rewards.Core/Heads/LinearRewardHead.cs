using System.Numerics.Tensors;

namespace MLNet.Rewards.Heads;

/// <summary>r(x) = w · x.</summary>
public sealed class LinearRewardHead : RewardHead
{
    /// <summary>Creates a head with zero weights (the Bradley–Terry loss is convex in w, so no random start is needed).</summary>
    public LinearRewardHead(int inputDimension)
        : base(inputDimension, inputDimension)
    {
    }

    /// <inheritdoc />
    public override HeadSpec Spec { get; } = new LinearHeadSpec();

    /// <inheritdoc />
    internal override IReadOnlyList<TensorSlice> Layout => [new TensorSlice("linear.weight", 0, [InputDimension])];

    /// <inheritdoc />
    internal override HeadWorkspace CreateWorkspace(int maxRows) => new NoWorkspace(maxRows);

    /// <inheritdoc />
    internal override void Forward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, Span<float> rewards)
    {
        int d = InputDimension;
        for (int i = 0; i < rows; i++)
        {
            rewards[i] = TensorPrimitives.Dot(inputs.Slice(i * d, d), Parameters);
        }
    }

    /// <inheritdoc />
    internal override void Backward(ReadOnlySpan<float> inputs, int rows, HeadWorkspace workspace, ReadOnlySpan<float> rewardGradients, Span<float> gradient)
    {
        int d = InputDimension;
        for (int i = 0; i < rows; i++)
        {
            if (rewardGradients[i] != 0f)
            {
                TensorPrimitives.MultiplyAdd(inputs.Slice(i * d, d), rewardGradients[i], gradient[..d], gradient[..d]);
            }
        }
    }

    private sealed class NoWorkspace(int maxRows) : HeadWorkspace
    {
        public override int MaxRows { get; } = maxRows;
    }
}
