using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Base of every fitted MLNet.Rewards transformer: the work is done by a chain of ML.NET's built-in transformers (our
/// custom mappings by contract name, a value mapping that carries the state, column copies and drops), so that the
/// transformer saves with <c>mlContext.Model.Save</c> and loads in any process that can resolve this assembly. A loaded
/// model holds that chain (a <see cref="TransformerChain{TLastTransformer}"/>), not this type; it scores identically.
/// </summary>
public abstract class BuiltInChainTransformer : ITransformer
{
    private readonly TransformerChain<ITransformer> _chain;

    /// <summary>Wraps the fitted built-in chain.</summary>
    private protected BuiltInChainTransformer(TransformerChain<ITransformer> chain)
    {
        _chain = chain;
    }

    /// <summary>Always true: every row is mapped on its own, so prediction engines work.</summary>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ValidateInput(inputSchema);
        return _chain.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ValidateInput(inputSchema);
        return ((ITransformer)_chain).GetRowToRowMapper(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ValidateInput(input.Schema);
        return _chain.Transform(input);
    }

    /// <summary>Saves the built-in chain (this is what <c>mlContext.Model.Save</c> calls).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_chain).Save(ctx);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the column when the input does not fit.</summary>
    private protected abstract void ValidateInput(DataViewSchema inputSchema);
}
