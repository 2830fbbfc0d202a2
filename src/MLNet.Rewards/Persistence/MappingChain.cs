using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Assembles the built-in chain every component saves as: embedded state, copies of the user's input columns to the
/// mapping's fixed column names, the custom mapping, copies of its results to the user's output columns, and a drop of
/// every internal column.
/// </summary>
internal sealed class MappingChain
{
    private readonly MLContext _ml;
    private readonly IReadOnlyList<(string Internal, string User)> _inputs;
    private readonly Func<MLContext, IEstimator<ITransformer>> _mapping;
    private readonly IReadOnlyList<(string Internal, string? User)> _outputs;

    /// <param name="ml">The context.</param>
    /// <param name="inputs">Internal column name and user column name of each input.</param>
    /// <param name="mapping">Creates the custom mapping over the internal columns.</param>
    /// <param name="output">Internal column name of the mapping's result and the user's output column name.</param>
    public MappingChain(MLContext ml, IReadOnlyList<(string Internal, string User)> inputs, Func<MLContext, IEstimator<ITransformer>> mapping, (string Internal, string User) output)
        : this(ml, inputs, mapping, [output])
    {
    }

    /// <param name="ml">The context.</param>
    /// <param name="inputs">Internal column name and user column name of each input.</param>
    /// <param name="mapping">Creates the custom mapping over the internal columns.</param>
    /// <param name="outputs">Internal column name of each of the mapping's results and the user's column name for it (null: not written, only dropped).</param>
    public MappingChain(MLContext ml, IReadOnlyList<(string Internal, string User)> inputs, Func<MLContext, IEstimator<ITransformer>> mapping, IReadOnlyList<(string Internal, string? User)> outputs)
    {
        _ml = ml;
        _inputs = inputs;
        _mapping = mapping;
        _outputs = outputs;
    }

    /// <summary>The chain's output schema for a given input (no state is needed to know it).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema) => Build([]).GetOutputSchema(inputSchema);

    /// <summary>Fits the chain with <paramref name="state"/> embedded; no data is read.</summary>
    public TransformerChain<ITransformer> Fit(IDataView input, byte[] state)
        => new([.. Build(state).Fit(input)]);

    private EstimatorChain<Microsoft.ML.Transforms.ColumnSelectingTransformer> Build(byte[] state)
    {
        IEstimator<ITransformer> chain = EmbeddedState.Attach(_ml, state);
        foreach (var (internalName, userName) in _inputs)
        {
            chain = chain.Append(_ml.Transforms.CopyColumns(internalName, userName));
        }

        chain = chain.Append(_mapping(_ml));
        foreach (var (internalName, userName) in _outputs)
        {
            if (userName is not null)
            {
                chain = chain.Append(_ml.Transforms.CopyColumns(userName, internalName));
            }
        }

        string[] internals = [InternalColumns.StateKey, InternalColumns.State, .. _inputs.Select(i => i.Internal), .. _outputs.Select(o => o.Internal)];
        return chain.Append(_ml.Transforms.DropColumns(internals));
    }
}
