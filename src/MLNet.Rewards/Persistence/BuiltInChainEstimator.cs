using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Base of every MLNet.Rewards estimator: it checks its input columns (the same checks at <c>Fit</c> and at
/// <see cref="GetOutputSchema"/>), computes the component's state at <c>Fit</c>, and embeds it in the built-in chain its
/// <see cref="BuiltInChainTransformer"/> runs and saves.
/// </summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
public abstract class BuiltInChainEstimator<TTransformer> : IEstimator<TTransformer>
    where TTransformer : BuiltInChainTransformer
{
    private readonly MappingChain? _chain;
    private readonly Func<SchemaShape, SchemaShape> _outputSchema;

    /// <summary>A component whose fitted chain is <paramref name="chain"/> with its state embedded.</summary>
    private protected BuiltInChainEstimator(MappingChain chain)
        : this(chain.GetOutputSchema)
    {
        _chain = chain;
    }

    /// <summary>A component that fits a chain of its own (of ML.NET trainers), whose output schema <paramref name="outputSchema"/> states.</summary>
    private protected BuiltInChainEstimator(Func<SchemaShape, SchemaShape> outputSchema)
    {
        _outputSchema = outputSchema;
    }

    /// <summary>Checks the input's columns and fits the component.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it.</exception>
    public abstract TTransformer Fit(IDataView input);

    /// <summary>The output schema; the input's columns are checked as <see cref="Fit"/> checks them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        RequireColumns(ColumnRequirements.Of(inputSchema));
        return _outputSchema(inputSchema);
    }

    /// <summary>States every column <see cref="Fit"/> reads, with its role.</summary>
    private protected abstract void RequireColumns(ColumnRequirements columns);

    /// <summary>Checks <paramref name="options"/> (so that a bad option fails when the estimator is created) and returns them.</summary>
    private protected static TOptions Validated<TOptions>(TOptions options)
        where TOptions : IComponentOptions
    {
        options.Validate();
        return options;
    }

    /// <summary>The fitted built-in chain carrying <paramref name="state"/> (a model zip's bytes).</summary>
    private protected TransformerChain<ITransformer> FitChain(IDataView input, byte[] state)
        => (_chain ?? throw new InvalidOperationException("this component fits a chain of its own and embeds no state")).Fit(input, state);
}
