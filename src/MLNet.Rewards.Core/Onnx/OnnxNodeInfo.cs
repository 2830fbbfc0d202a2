namespace MLNet.Rewards.Onnx;

/// <summary>
/// One input or output of a model: its name, element type and shape. Dimensions that are only known at run time
/// (batch, sequence) are -1 in <see cref="Dimensions"/>, with their symbolic name in <see cref="SymbolicDimensions"/>.
/// </summary>
/// <param name="Name">The name to use in <see cref="OnnxSession.Run(IReadOnlyList{NamedOnnxValue}, IReadOnlyList{string}, CancellationToken)"/>.</param>
/// <param name="IsTensor">Whether the value is a tensor (else a sequence, map or optional value).</param>
/// <param name="ElementType">Element type of the tensor (<see cref="OnnxElementType.Undefined"/> for non-tensors).</param>
/// <param name="Dimensions">The shape, with -1 for dynamic dimensions.</param>
/// <param name="SymbolicDimensions">The name of each dimension ("" where the model gives none).</param>
public sealed record OnnxNodeInfo(string Name, bool IsTensor, OnnxElementType ElementType, IReadOnlyList<long> Dimensions, IReadOnlyList<string> SymbolicDimensions)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {ElementType}[{string.Join(", ", Dimensions.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicDimensions[i] is { Length: > 0 } s ? s : "?"))}]";
}

/// <summary>A value with the model input or output name it is bound to.</summary>
/// <param name="Name">The input (or output) name.</param>
/// <param name="Value">The value; it is not disposed by the run and must stay alive until the run returns.</param>
public readonly record struct NamedOnnxValue(string Name, OnnxValue Value);
