using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Embedding;

/// <summary>
/// Embeds a text column into a vector column with any MLNet.Rewards featurizer (<see cref="FeaturizerSpec"/>): the
/// hashing featurizer, or a frozen sentence encoder. Created by <see cref="RewardsCatalog.EmbedText"/>.
/// </summary>
/// <remarks>
/// Nothing is learned: fitting checks the input column and fixes the featurizer. The output column is a vector of Single
/// of the featurizer's dimension; its size is declared (a known-size vector, as normalizers and ML.NET's trainers
/// require) when the dimension is one of <see cref="KnownSizeEmbeddings.Sizes"/>, and is variable otherwise (a custom
/// mapping cannot declare a size chosen at run time), which our reward trainers, Concatenate and CopyColumns accept.
/// </remarks>
public sealed class TextEmbeddingEstimator : BuiltInChainEstimator<TextEmbeddingTransformer>
{
    internal TextEmbeddingEstimator(MLContext ml, string outputColumnName, string inputColumnName, FeaturizerSpec featurizer)
        : base(Chain(ml, outputColumnName, inputColumnName, featurizer.Dimension))
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Featurizer = featurizer;
    }

    /// <summary>The vector column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The featurizer's settings.</summary>
    public FeaturizerSpec Featurizer { get; }

    /// <inheritdoc />
    public override TextEmbeddingTransformer Fit(IDataView input)
    {
        RequireColumns(ColumnRequirements.Of(input.Schema));
        var state = new TextEmbeddingState(Featurizer.CreateEmbedder(FeaturizerContext.Default));
        return new TextEmbeddingTransformer(FitChain(input, state.ToBytes()), OutputColumnName, InputColumnName, state.Embedder);
    }

    private protected override void RequireColumns(ColumnRequirements columns) => columns.Text(InputColumnName, "the text to embed");

    private static MappingChain Chain(MLContext ml, string outputColumnName, string inputColumnName, int dimension)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputColumnName);
        ArgumentException.ThrowIfNullOrEmpty(inputColumnName);
        return new(ml, [(InternalColumns.Text, inputColumnName)], c => KnownSizeEmbeddings.Mapping(c, dimension), (InternalColumns.Embedding, outputColumnName));
    }
}

/// <summary>
/// A fitted <see cref="TextEmbeddingEstimator"/>: embeds <see cref="InputColumnName"/> into <see cref="OutputColumnName"/>.
/// Saves with <c>mlContext.Model.Save</c>; see <see cref="BuiltInChainTransformer"/> for what a loaded model holds.
/// </summary>
public sealed class TextEmbeddingTransformer : BuiltInChainTransformer
{
    internal TextEmbeddingTransformer(TransformerChain<ITransformer> chain, string outputColumnName, string inputColumnName, ITextEmbedder embedder)
        : base(chain)
    {
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
        Embedder = embedder;
    }

    /// <summary>The vector column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The text column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The featurizer.</summary>
    public ITextEmbedder Embedder { get; }

    private protected override void ValidateInput(DataViewSchema inputSchema)
        => SchemaChecks.RequireText(inputSchema, InputColumnName, "the text to embed");
}
