namespace MLNet.Rewards.Data;

/// <summary>
/// One human (or judge) preference: for <see cref="Prompt"/>, <see cref="Chosen"/> was preferred over <see cref="Rejected"/>.
/// </summary>
/// <param name="Id">Identifier, unique within its file.</param>
/// <param name="Source">The dataset or subset the pair comes from (used for per-source metrics).</param>
/// <param name="Prompt">The prompt or conversation both responses answer.</param>
/// <param name="Chosen">The preferred response.</param>
/// <param name="Rejected">The response that lost.</param>
public sealed record PreferencePair(string Id, string Source, string Prompt, string Chosen, string Rejected)
{
    /// <summary>
    /// How much the chosen response should win by (TRL's <c>margin</c> column): the loss is −log σ(r_c − r_r − margin).
    /// Null when the data gives none (margin 0).
    /// </summary>
    public float? Margin { get; init; }
}
