using System.Text.Json;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class PrototypeHeadTests
{
    [TestMethod]
    public void RewardIsTheSoftAssignmentOfValuesComputedByHand()
    {
        // K = 2 prototypes in one dimension at 0 and 2, values 1 and 3, τ = 1; x = 0.5: d = (0.25, 2.25).
        var head = (PrototypeRewardHead)new PrototypeHeadSpec { Prototypes = 2, InitialTemperature = 1.0 }.Create(1, 0);
        head.Centers[0] = 0f;
        head.Centers[1] = 2f;
        head.Values[0] = 1f;
        head.Values[1] = 3f;
        double w0 = 1 / (1 + Math.Exp(-2.0)), w1 = 1 - w0;

        Assert.AreEqual((w0 * 1) + (w1 * 3), head.Score([0.5f]), 1e-6);
        var explanation = head.Explain([0.5f], top: 2);
        Assert.AreEqual(0, explanation.Nearest[0].Prototype);
        Assert.AreEqual(w0, explanation.Nearest[0].Weight, 1e-6);
        Assert.AreEqual(0.25f, explanation.Nearest[0].SquaredDistance, 1e-6f);
        Assert.AreEqual(3f, explanation.Nearest[1].Value);
        Assert.AreEqual(2.25f, explanation.Nearest[1].SquaredDistance, 1e-5f);
    }

    [TestMethod]
    public void ExplanationNamesThePrototypeAPointSitsOn()
    {
        var head = (PrototypeRewardHead)new PrototypeHeadSpec { Prototypes = 5, InitialTemperature = 0.1 }.Create(3, 4);
        var point = head.Centers.Slice(3 * 3, 3).ToArray();
        var explanation = head.Explain(point, top: 5);

        Assert.AreEqual(3, explanation.Nearest[0].Prototype);
        Assert.AreEqual(0f, explanation.Nearest[0].SquaredDistance, 1e-6f);
        Assert.AreEqual(1.0, explanation.Nearest.Sum(c => c.Weight), 1e-5);
        Assert.IsTrue(explanation.Nearest.Zip(explanation.Nearest.Skip(1)).All(p => p.First.Weight >= p.Second.Weight));
    }

    [TestMethod]
    public void KMeansPlusPlusFindsSeparatedClustersAndIsSeeded()
    {
        float[][] means = [[5f, 0f], [-5f, 0f], [0f, 8f]];
        var random = new SeededRandom(1);
        var chosen = new FloatMatrix(150, 2);
        var rejected = new FloatMatrix(150, 2);
        for (int i = 0; i < 150; i++)
        {
            for (int c = 0; c < 2; c++)
            {
                chosen.Row(i)[c] = means[i % 3][c] + (float)(random.NextGaussian() * 0.1);
                rejected.Row(i)[c] = means[(i + 1) % 3][c] + (float)(random.NextGaussian() * 0.1);
            }
        }

        var data = new PairwiseDataset(chosen, rejected, new ulong[150]);
        var spec = new PrototypeHeadSpec { Prototypes = 3 };
        var head = (PrototypeRewardHead)spec.Create(2, 0);
        head.Initialize(data, seed: 9);
        foreach (var mean in means)
        {
            var nearest = head.Explain(mean, top: 1).Nearest[0];
            Assert.IsLessThan(0.01f, nearest.SquaredDistance, $"no prototype near ({mean[0]}, {mean[1]})");
        }

        var again = (PrototypeRewardHead)spec.Create(2, 0);
        again.Initialize(data, seed: 9);
        CollectionAssert.AreEqual(head.Parameters, again.Parameters);
        Assert.IsGreaterThan(0f, head.Temperature);
        Assert.IsTrue(head.Values.ToArray().All(v => v == 0f));
    }

    [TestMethod]
    public void TrainerInitializesFromDataLearnsAndIsDeterministic()
    {
        var bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = 16, TrainPairs = 1500, TestPairs = 1000, LabelNoise = 0, Seed = 3 });
        var options = new PairwiseTrainerOptions { Head = new PrototypeHeadSpec { Prototypes = 16 }, MaxEpochs = 15, Seed = 5, LearningRate = 1e-2f };
        var first = new PairwiseTrainer(options).Fit(bench.Train);
        var second = new PairwiseTrainer(options).Fit(bench.Train);

        CollectionAssert.AreEqual(first.Head.Parameters, second.Head.Parameters);
        var (_, accuracy) = PairwiseTrainer.Measure(first.Head, bench.Test);
        Assert.IsGreaterThan(0.75, accuracy, $"test accuracy {accuracy:F3}");
    }

    [TestMethod]
    public void ModelWithPrototypeHeadSurvivesSaveAndLoad()
    {
        var embedder = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 16 });
        var featurizer = new PairFeaturizer(embedder, FeatureLayout.Response);
        var spec = new PrototypeHeadSpec { Prototypes = 3, KMeansIterations = 2 };
        var head = spec.Create(featurizer.Dimension, 7);
        var model = new PairwiseRewardModel(embedder, FeatureLayout.Response, head);
        string path = TestData.TempPath(".zip");
        try
        {
            model.Save(path);
            var loaded = PairwiseRewardModel.Load(path);
            Assert.AreEqual(spec, loaded.Head.Spec);
            CollectionAssert.AreEqual(head.Parameters, loaded.Head.Parameters);
            Assert.AreEqual(model.Score("a prompt", "a response"), loaded.Score("a prompt", "a response"));
            StringAssert.Contains(JsonSerializer.Serialize<HeadSpec>(spec, ModelArchive.JsonOptions), "\"kind\": \"prototype\"");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow(0, null, 10, 10, "Prototypes")]
    [DataRow(4, -1.0, 10, 10, "InitialTemperature")]
    [DataRow(4, null, -1, 10, "KMeansIterations")]
    [DataRow(4, null, 10, 0, "InitializationSample")]
    public void BadSettingsAreRejectedByName(int prototypes, double? temperature, int iterations, int sample, string name)
    {
        var spec = new PrototypeHeadSpec { Prototypes = prototypes, InitialTemperature = temperature, KMeansIterations = iterations, InitializationSample = sample };
        var e = Assert.ThrowsExactly<InvalidOptionException>(() => spec.Create(4, 0));
        Assert.AreEqual(name, e.ParamName);
    }

    [TestMethod]
    public void ExplainRejectsFeaturesOfTheWrongLength()
    {
        var head = (PrototypeRewardHead)new PrototypeHeadSpec { Prototypes = 2 }.Create(3, 0);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => head.Explain([1f, 2f]));
    }
}
