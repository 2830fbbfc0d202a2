namespace MLNet.Rewards.Persistence;

/// <summary>
/// Fixed names of the columns our saved chains use internally. ML.NET saves a custom mapping by contract name only (not
/// its schema definition), so the mapping classes bind to these names; each chain copies the user's columns in, copies
/// its result out, and drops all of them again.
/// </summary>
internal static class InternalColumns
{
    public const string StateKey = "MLNetRewards.StateKey";
    public const string State = "MLNetRewards.State";
    public const string Text = "MLNetRewards.Text";
    public const string Embedding = "MLNetRewards.Embedding";
    public const string Features = "MLNetRewards.Features";
    public const string PromptFeatures = "MLNetRewards.PromptFeatures";
    public const string Score = "MLNetRewards.Score";
    public const string Prompt = "MLNetRewards.Prompt";
    public const string Response = "MLNetRewards.Response";
    public const string ObjectiveRewards = "MLNetRewards.ObjectiveRewards";
    public const string GateWeights = "MLNetRewards.GateWeights";
}
