using MLNet.Rewards.Training;

namespace MLNet.Rewards.Pairwise;

/// <summary>
/// Settings of <see cref="PairwiseRewardTrainer"/>: which columns it reads and writes, and the Bradley–Terry trainer's
/// hyperparameters (<see cref="Trainer"/>, the same options record the command-line tool and <c>PairwiseTrainer</c> use).
/// </summary>
/// <remarks>
/// Training data has one row per response: rows that share a <see cref="PairIdColumnName"/> form a comparison, the row
/// labelled true was preferred over each row labelled false. Scoring data needs only the feature columns.
/// </remarks>
public sealed record PairwiseRewardTrainerOptions : IComponentOptions
{
    /// <summary>The response's feature vector (for example a text embedding, optionally concatenated with other features).</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>
    /// Optional: the prompt's embedding, of the same length as the features. When set, the head sees
    /// [features, prompt ⊙ features] (<c>FeatureLayout.ResponseAndPromptProduct</c>, as in the command-line tool), so even a
    /// linear head can reward responses that fit their prompt; when null it sees the features alone.
    /// </summary>
    public string? PromptFeatureColumnName { get; init; }

    /// <summary>Boolean: true for the preferred response of its pair, false for the others.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>Text: rows with the same value are compared with each other.</summary>
    public string PairIdColumnName { get; init; } = "PairId";

    /// <summary>
    /// Optional text column (for example the prompt): pairs with equal values stay on the same side of the early-stopping
    /// validation split, so that the split does not leak prompts. When null, pairs are grouped by their pair id. (Not a
    /// ranking row group as in ML.NET's <c>rowGroupColumnName</c>: it only decides the split.)
    /// </summary>
    public string? ValidationGroupColumnName { get; init; }

    /// <summary>The reward column written (Single).</summary>
    public string ScoreColumnName { get; init; } = "Score";

    /// <summary>The trainer's hyperparameters: head, epochs, batch size, learning rate, seed, early stopping.</summary>
    public PairwiseTrainerOptions Trainer { get; init; } = new();

    /// <summary>Checks the options, naming the one that is wrong.</summary>
    /// <exception cref="InvalidOptionException">An option is out of range.</exception>
    public void Validate()
    {
        ColumnOptions.Required([(FeatureColumnName, nameof(FeatureColumnName)), (LabelColumnName, nameof(LabelColumnName)), (PairIdColumnName, nameof(PairIdColumnName)), (ScoreColumnName, nameof(ScoreColumnName))]);
        ColumnOptions.Optional([(PromptFeatureColumnName, nameof(PromptFeatureColumnName)), (ValidationGroupColumnName, nameof(ValidationGroupColumnName))]);
        Trainer.Validate();
    }
}
