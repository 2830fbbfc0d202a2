using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Ranking;

namespace MLNet.Rewards.Tests;

/// <summary>Each trainer's columns-plus-key-hyperparameters overload builds the options its options overload takes.</summary>
[TestClass]
public sealed class CatalogOverloadTests
{
    [TestMethod]
    public void PairwiseRewardOverloadDefaultsAreTheOptionsDefaults()
    {
        var fromOverload = new MLContext().Rewards().PairwiseReward().Options;
        var defaults = new PairwiseRewardTrainerOptions();

        Assert.AreEqual(defaults with { Trainer = fromOverload.Trainer }, fromOverload);
        Assert.AreEqual(defaults.Trainer with { Head = fromOverload.Trainer.Head }, fromOverload.Trainer);
        CollectionAssert.AreEqual(((MlpHeadSpec)defaults.Trainer.Head).HiddenSizes.ToArray(), ((MlpHeadSpec)fromOverload.Trainer.Head).HiddenSizes.ToArray());
    }

    [TestMethod]
    public void PairwiseRewardOverloadPassesItsArguments()
    {
        var options = new MLContext().Rewards().PairwiseReward("F", "P", "L", "Id", "R", new LinearHeadSpec(), maxEpochs: 3, learningRate: 0.5f, seed: 9).Options;

        Assert.AreEqual(("F", "P", "L", "Id", "R"), (options.FeatureColumnName, options.PromptFeatureColumnName, options.LabelColumnName, options.PairIdColumnName, options.ScoreColumnName));
        Assert.IsInstanceOfType<LinearHeadSpec>(options.Trainer.Head);
        Assert.AreEqual((3, 0.5f, 9L), (options.Trainer.MaxEpochs, options.Trainer.LearningRate, options.Trainer.Seed));
        Assert.ThrowsExactly<InvalidOptionException>(() => new MLContext().Rewards().PairwiseReward(maxEpochs: 0));
    }

    [TestMethod]
    public void RankingRewardOverloadDefaultsAreTheOptionsDefaults()
    {
        Assert.AreEqual(new RankingRewardTrainerOptions(), new MLContext().Rewards().RankingReward().Options);
        var options = new MLContext().Rewards().RankingReward("F", "L", "Id", "R", RankingGroup.Prompt, RankingBooster.LightGbm, numberOfTrees: 7, numberOfLeaves: 3, learningRate: 0.05).Options;
        Assert.AreEqual(new RankingRewardTrainerOptions { FeatureColumnName = "F", LabelColumnName = "L", PairIdColumnName = "Id", ScoreColumnName = "R", Group = RankingGroup.Prompt, Booster = RankingBooster.LightGbm, NumberOfTrees = 7, NumberOfLeaves = 3, LearningRate = 0.05 }, options);
    }

    [TestMethod]
    public void MultiObjectiveRewardOverloadPassesItsArguments()
    {
        ObjectiveColumn[] objectives = [new PreferenceObjectiveColumn("Helpful"), new LengthObjectiveColumn("Words", LengthMeasure.Words)];
        var options = new MLContext().Rewards().MultiObjectiveReward(objectives, "Helpful", "Q", "A", "Id", "R", new HashingFeaturizerSpec { Buckets = 64 }, seed: 5).Options;

        CollectionAssert.AreEqual(objectives, options.Objectives.ToArray());
        Assert.AreEqual(("Helpful", "Q", "A", "Id", "R"), (options.LabelColumnName, options.PromptColumnName, options.ResponseColumnName, options.PairIdColumnName, options.ScoreColumnName));
        Assert.AreEqual(new HashingFeaturizerSpec { Buckets = 64 }, options.Featurizer);
        Assert.AreEqual(5L, options.Trainer.Seed);
        Assert.AreEqual(new MultiObjectiveTrainerOptions().Gate, options.Trainer.Gate);
    }
}
