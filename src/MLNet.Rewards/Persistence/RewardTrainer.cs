using Microsoft.ML;

namespace MLNet.Rewards.Persistence;

/// <summary>Base of the reward trainers: an estimator with an options record, checked when the trainer is created.</summary>
/// <typeparam name="TTransformer">The fitted transformer.</typeparam>
/// <typeparam name="TOptions">The options record.</typeparam>
public abstract class RewardTrainer<TTransformer, TOptions> : BuiltInChainEstimator<TTransformer>
    where TTransformer : BuiltInChainTransformer
    where TOptions : class
{
    private protected RewardTrainer(TOptions options, MappingChain chain)
        : base(chain)
    {
        Options = options;
    }

    private protected RewardTrainer(TOptions options, Func<SchemaShape, SchemaShape> outputSchema)
        : base(outputSchema)
    {
        Options = options;
    }

    /// <summary>The trainer's settings.</summary>
    public TOptions Options { get; }

    /// <summary>Reads the comparisons (and ratings) in <paramref name="input"/> and trains the model.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The rows do not form comparisons (a pair id without a preferred or a rejected row); the message names the pair id.</exception>
    public abstract override TTransformer Fit(IDataView input);
}
