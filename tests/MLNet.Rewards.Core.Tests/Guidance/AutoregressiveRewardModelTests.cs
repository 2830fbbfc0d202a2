using MLNet.Rewards.Guidance;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Guidance;

[TestClass]
public sealed class AutoregressiveRewardModelTests
{
    [TestMethod]
    public void LossGradientMatchesFiniteDifferences()
    {
        var pairs = SyntheticArmFeatures.Pairs(6, seed: 11);
        var model = new AutoregressiveRewardModel("test", 3, SyntheticArmFeatures.Hidden, SyntheticArmFeatures.Vocabulary, SyntheticArmFeatures.TopK, seed: 5);
        var random = new SeededRandom(9);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (float)random.NextGaussian() * 0.5f;
        }

        const float BetaR = 0.7f;
        var gradient = new float[model.Parameters.Length];
        ArmObjective.LossAndGradient(model, pairs, BetaR, gradient);
        var ignored = new float[model.Parameters.Length];
        const float Step = 1e-3f;
        int checkedCount = 0;
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            float saved = model.Parameters[i];
            model.Parameters[i] = saved + Step;
            double plus = ArmObjective.LossAndGradient(model, pairs, BetaR, ignored);
            model.Parameters[i] = saved - Step;
            double minus = ArmObjective.LossAndGradient(model, pairs, BetaR, ignored);
            model.Parameters[i] = saved;
            double numeric = (plus - minus) / (2 * Step);
            Assert.AreEqual(numeric, gradient[i], 2e-3 + (2e-2 * Math.Abs(numeric)), $"parameter {i}");
            checkedCount += numeric != 0 ? 1 : 0;
        }

        Assert.IsGreaterThan(50, checkedCount, "most parameters should have a gradient");
    }

    [TestMethod]
    public void AnUntrainedHeadIsTheBaseModel()
    {
        var pairs = SyntheticArmFeatures.Pairs(3, seed: 2);
        var model = new AutoregressiveRewardModel("test", 4, SyntheticArmFeatures.Hidden, SyntheticArmFeatures.Vocabulary, SyntheticArmFeatures.TopK, seed: 1);
        foreach (var text in pairs.SelectMany(p => new[] { p.Chosen, p.Rejected }))
        {
            double expected = 0;
            for (int t = 0; t < text.Length; t++)
            {
                var logits = text.CandidateLogitsAt(t).ToArray();
                double normalizer = Math.Log(logits.Sum(v => Math.Exp(v)) + Math.Exp(text.LogRest[t]));
                expected += text.TargetLogits[t] - normalizer;
            }

            Assert.AreEqual(expected, model.Reward(text), 1e-4);
        }
    }

    [TestMethod]
    public void TrainingIsSeededAndLearnsALearnablePreference()
    {
        var train = SyntheticArmFeatures.Pairs(48, seed: 3, learnable: true);
        var validation = SyntheticArmFeatures.Pairs(24, seed: 4, learnable: true);
        var options = new ArmTrainerOptions { Rank = 2, Epochs = 20, BatchSize = 8, LearningRate = 5e-2f, BetaR = 1f, Seed = 17 };
        var first = ArmTrainer.Fit("p", train, validation, SyntheticArmFeatures.Vocabulary, options);
        var second = ArmTrainer.Fit("p", train, validation, SyntheticArmFeatures.Vocabulary, options);
        CollectionAssert.AreEqual(first.Parameters, second.Parameters);
        Assert.IsGreaterThan(first.Info.Metrics["validation.accuracy.base"], first.Info.Metrics["validation.accuracy"]);
        Assert.IsLessThan(0.7, first.Info.Metrics["validation.accuracy.base"]);
        Assert.IsGreaterThanOrEqualTo(0.9, first.Info.Metrics["validation.accuracy"]);
        var other = ArmTrainer.Fit("p", train, validation, SyntheticArmFeatures.Vocabulary, options with { Seed = 18 });
        CollectionAssert.AreNotEqual(first.Parameters, other.Parameters);
    }

    [TestMethod]
    public void SaveAndLoadRoundTripAndChecks()
    {
        var train = SyntheticArmFeatures.Pairs(16, seed: 5, learnable: true);
        var model = ArmTrainer.Fit("harmless", train, [], SyntheticArmFeatures.Vocabulary, new ArmTrainerOptions { Rank = 3, Epochs = 2, Seed = 1 });
        string path = TestData.TempPath(".zip");
        model.Save(path);
        var loaded = AutoregressiveRewardModel.Load(path);
        Assert.AreEqual("harmless", loaded.Principle);
        Assert.AreEqual(3, loaded.Rank);
        Assert.AreEqual(SyntheticArmFeatures.TopK, loaded.TopK);
        CollectionAssert.AreEqual(model.Parameters, loaded.Parameters);
        Assert.AreEqual(model.Reward(train[0].Chosen), loaded.Reward(train[0].Chosen));
        Assert.AreEqual(2, (int)loaded.Info.Hyperparameters!["epochs"]!);

        string wrongKind = TestData.TempPath(".zip");
        ModelArchive.Save(wrongKind, "pairwise-reward", [], []);
        StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => AutoregressiveRewardModel.Load(wrongKind)).Message, "not a 'genarm-arm' model");
    }

    [TestMethod]
    public void OptionsAreValidatedWithClearMessages()
    {
        Assert.ThrowsExactly<InvalidOptionException>(() => new ArmTrainerOptions { Rank = 0 }.Validate());
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOptionException>(() => new ArmTrainerOptions { BetaR = 0 }.Validate()).Message, "BetaR must be a positive finite number");
        Assert.ThrowsExactly<InvalidOptionException>(() => new ArmFeatureOptions { TopK = 0 }.Validate());
        Assert.ThrowsExactly<InvalidOptionException>(() => new GenArmGuide([], beta: 0));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOptionException>(() => new MLNet.Rewards.Generation.SamplingOptions { TopP = 0 }.Validate()).Message, "TopP must be in (0, 1]");
        Assert.ThrowsExactly<InvalidOptionException>(() => new MLNet.Rewards.Generation.SamplingOptions { Temperature = float.NaN }.Validate());
    }
}
