using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Heads;

/// <summary>Moves a head's parameters to and from named tensors, under an optional name prefix (for ensembles).</summary>
internal static class HeadTensors
{
    /// <summary>The head's tensors, named <c>prefix + slice name</c>.</summary>
    public static IEnumerable<NamedTensor> Export(RewardHead head, string prefix = "")
        => head.Layout.Select(slice => new NamedTensor(prefix + slice.Name, slice.Shape, head.Parameters.AsSpan(slice.Offset, slice.Length).ToArray()));

    /// <summary>Builds a head of <paramref name="spec"/> and fills its parameters from <paramref name="contents"/>, checking every shape.</summary>
    public static RewardHead Import(HeadSpec spec, int inputDimension, ModelContents contents, string prefix = "")
    {
        RewardHead head;
        try
        {
            head = spec.Create(inputDimension, 0);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException(contents.Path, $"the manifest's head cannot be built ({e.Message})", e);
        }

        foreach (var slice in head.Layout)
        {
            contents.Tensor(prefix + slice.Name, slice.Shape).CopyTo(head.Parameters, slice.Offset);
        }

        return head;
    }
}
