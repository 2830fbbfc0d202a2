using MLNet.Rewards.Featurization;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Scoring;

/// <summary>Opens any saved reward model as an <see cref="IRewardScorer"/>, by the component its manifest names.</summary>
public static class RewardScorers
{
    /// <summary>
    /// Loads the reward model zip at <paramref name="path"/>: a pairwise model, a reward ensemble (scored by its saved
    /// aggregation, e.g. a lower confidence bound) or a multi-objective model (scored by its saved combination).
    /// </summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, or holds a component that does not score responses.</exception>
    public static IRewardScorer Load(string path, FeaturizerContext? context = null)
    {
        string component = ModelArchive.ReadComponent(path);
        return component switch
        {
            PairwiseRewardModel.ComponentName => new PairwiseRewardScorer(PairwiseRewardModel.Load(path, context)),
            EnsembleRewardModel.ComponentName => new EnsembleRewardScorer(EnsembleRewardModel.Load(path, context)),
            MultiObjectiveRewardModel.ComponentName => new MultiObjectiveRewardScorer(MultiObjectiveRewardModel.Load(path, context)),
            _ => throw new ModelFormatException(
                path,
                $"holds a '{component}' model, which does not score responses (expected: {PairwiseRewardModel.ComponentName}, {EnsembleRewardModel.ComponentName} or {MultiObjectiveRewardModel.ComponentName})"),
        };
    }
}
