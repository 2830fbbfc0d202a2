using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Embedding;

/// <summary>
/// Embedding sizes for which <see cref="TextEmbeddingEstimator"/> writes a known-size vector column. ML.NET saves a custom
/// mapping by contract name only, and reads a vector's size from its output class's <see cref="VectorTypeAttribute"/>,
/// so each size needs its own output class and contract (<c>MLNet.Rewards.TextEmbedding.v1.d{size}</c>). The list covers
/// the hashing featurizer's powers of two and common sentence-encoder widths (384 for all-MiniLM-L6-v2, 768, 1536, 3072);
/// other sizes get a variable-size column.
/// </summary>
public static class KnownSizeEmbeddings
{
    private static readonly Dictionary<int, Func<MLContext, IEstimator<ITransformer>>> Mappings = new()
    {
        [64] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput64>(TextEmbeddingMapping.Map, ContractName(64)),
        [128] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput128>(TextEmbeddingMapping.Map, ContractName(128)),
        [256] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput256>(TextEmbeddingMapping.Map, ContractName(256)),
        [384] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput384>(TextEmbeddingMapping.Map, ContractName(384)),
        [512] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput512>(TextEmbeddingMapping.Map, ContractName(512)),
        [768] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput768>(TextEmbeddingMapping.Map, ContractName(768)),
        [1024] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput1024>(TextEmbeddingMapping.Map, ContractName(1024)),
        [1536] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput1536>(TextEmbeddingMapping.Map, ContractName(1536)),
        [2048] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput2048>(TextEmbeddingMapping.Map, ContractName(2048)),
        [3072] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput3072>(TextEmbeddingMapping.Map, ContractName(3072)),
        [4096] = ml => ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput4096>(TextEmbeddingMapping.Map, ContractName(4096)),
    };

    /// <summary>The sizes with a known-size output column.</summary>
    public static IReadOnlyCollection<int> Sizes => Mappings.Keys;

    /// <summary>The contract name of the mapping for <paramref name="size"/>.</summary>
    public static string ContractName(int size) => $"{TextEmbeddingMapping.ContractName}.d{size}";

    /// <summary>The custom mapping for featurizers of <paramref name="size"/>: known-size when listed, variable-size otherwise.</summary>
    internal static IEstimator<ITransformer> Mapping(MLContext ml, int size)
        => Mappings.TryGetValue(size, out var create)
            ? create(ml)
            : ml.Transforms.CustomMapping<TextEmbeddingInput, TextEmbeddingOutput>(TextEmbeddingMapping.Map, TextEmbeddingMapping.ContractName);
}

/// <summary>Output row with a 64-value embedding.</summary>
public sealed class TextEmbeddingOutput64 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(64)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 64-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d64")]
public sealed class TextEmbeddingMappingFactory64 : TextEmbeddingMappingFactory<TextEmbeddingOutput64>
{
}

/// <summary>Output row with a 128-value embedding.</summary>
public sealed class TextEmbeddingOutput128 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(128)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 128-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d128")]
public sealed class TextEmbeddingMappingFactory128 : TextEmbeddingMappingFactory<TextEmbeddingOutput128>
{
}

/// <summary>Output row with a 256-value embedding.</summary>
public sealed class TextEmbeddingOutput256 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(256)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 256-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d256")]
public sealed class TextEmbeddingMappingFactory256 : TextEmbeddingMappingFactory<TextEmbeddingOutput256>
{
}

/// <summary>Output row with a 384-value embedding.</summary>
public sealed class TextEmbeddingOutput384 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(384)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 384-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d384")]
public sealed class TextEmbeddingMappingFactory384 : TextEmbeddingMappingFactory<TextEmbeddingOutput384>
{
}

/// <summary>Output row with a 512-value embedding.</summary>
public sealed class TextEmbeddingOutput512 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(512)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 512-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d512")]
public sealed class TextEmbeddingMappingFactory512 : TextEmbeddingMappingFactory<TextEmbeddingOutput512>
{
}

/// <summary>Output row with a 768-value embedding.</summary>
public sealed class TextEmbeddingOutput768 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(768)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 768-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d768")]
public sealed class TextEmbeddingMappingFactory768 : TextEmbeddingMappingFactory<TextEmbeddingOutput768>
{
}

/// <summary>Output row with a 1024-value embedding.</summary>
public sealed class TextEmbeddingOutput1024 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(1024)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 1024-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d1024")]
public sealed class TextEmbeddingMappingFactory1024 : TextEmbeddingMappingFactory<TextEmbeddingOutput1024>
{
}

/// <summary>Output row with a 1536-value embedding.</summary>
public sealed class TextEmbeddingOutput1536 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(1536)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 1536-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d1536")]
public sealed class TextEmbeddingMappingFactory1536 : TextEmbeddingMappingFactory<TextEmbeddingOutput1536>
{
}

/// <summary>Output row with a 2048-value embedding.</summary>
public sealed class TextEmbeddingOutput2048 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(2048)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 2048-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d2048")]
public sealed class TextEmbeddingMappingFactory2048 : TextEmbeddingMappingFactory<TextEmbeddingOutput2048>
{
}

/// <summary>Output row with a 3072-value embedding.</summary>
public sealed class TextEmbeddingOutput3072 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(3072)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 3072-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d3072")]
public sealed class TextEmbeddingMappingFactory3072 : TextEmbeddingMappingFactory<TextEmbeddingOutput3072>
{
}

/// <summary>Output row with a 4096-value embedding.</summary>
public sealed class TextEmbeddingOutput4096 : TextEmbeddingRow
{
    /// <inheritdoc />
    [ColumnName(InternalColumns.Embedding)]
    [VectorType(4096)]
    public override float[] Embedding { get; set; } = [];
}

/// <summary>Recreates the 4096-value text-embedding mapping when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(TextEmbeddingMapping.ContractName + ".d4096")]
public sealed class TextEmbeddingMappingFactory4096 : TextEmbeddingMappingFactory<TextEmbeddingOutput4096>
{
}
