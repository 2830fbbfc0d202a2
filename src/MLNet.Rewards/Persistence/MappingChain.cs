using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.Pipelines.Persistence;

/// <summary>
/// Assembles the built-in chain every component saves as: embedded state, copies of the user's input columns to the
/// mapping's fixed column names, the custom mapping, a copy of its result to the user's output column, and a drop of
/// every internal column.
/// </summary>
internal sealed class MappingChain
{
    private readonly MLContext _ml;
    private readonly IReadOnlyList<(string Internal, string User)> _inputs;
    private readonly Func<MLContext, IEstimator<ITransformer>> _mapping;
    private readonly (string Internal, string User) _output;

    /// <param name="ml">The context.</param>
    /// <param name="inputs">Internal column name and user column name of each input.</param>
    /// <param name="mapping">Creates the custom mapping over the internal columns.</param>
    /// <param name="output">Internal column name of the mapping's result and the user's output column name.</param>
    public MappingChain(MLContext ml, IReadOnlyList<(string Internal, string User)> inputs, Func<MLContext, IEstimator<ITransformer>> mapping, (string Internal, string User) output)
    {
        _ml = ml;
        _inputs = inputs;
        _mapping = mapping;
        _output = output;
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

        string[] internals = [InternalColumns.StateKey, InternalColumns.State, .. _inputs.Select(i => i.Internal), _output.Internal];
        return chain
            .Append(_mapping(_ml))
            .Append(_ml.Transforms.CopyColumns(_output.User, _output.Internal))
            .Append(_ml.Transforms.DropColumns(internals));
    }
}
