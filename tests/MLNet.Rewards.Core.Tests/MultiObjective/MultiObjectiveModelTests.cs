using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests.MultiObjective;

[TestClass]
public sealed class MultiObjectiveModelTests
{
    private static readonly HashingFeaturizerSpec Hashing = new() { Buckets = 64 };
    private static readonly Lazy<Fixture> Shared = new(() => new Fixture());

    private static RewardCombination[] AllCombinations(int objectives) =>
    [
        new GateCombination(), new MinScalarizer(), new SoftMinScalarizer { Temperature = 0.5f }, new MeanVarianceScalarizer { VariancePenalty = 1f },
        new LowerQuantileScalarizer { Quantile = 0.25f }, new ProductScalarizer(), new LinearScalarizer { Weights = [.. Enumerable.Range(1, objectives).Select(i => (float)i)] },
    ];

    [TestMethod]
    public void SaveAndLoadGiveBitIdenticalScoresForEveryCombination()
    {
        var f = Shared.Value;
        string path = TestData.TempPath(".zip");
        try
        {
            f.Model.Save(path);
            var loaded = MultiObjectiveRewardModel.Load(path);
            CollectionAssert.AreEqual(f.Model.ObjectiveNames.ToArray(), loaded.ObjectiveNames.ToArray());
            for (int j = 0; j < f.Model.Objectives.Count; j++)
            {
                var before = f.Model.Objectives[j].Descriptor;
                var after = loaded.Objectives[j].Descriptor;
                Assert.AreEqual(before.VerbosityLambda, after.VerbosityLambda);
                Assert.AreEqual(before.Mean, after.Mean);
                Assert.AreEqual(before.Scale, after.Scale);
            }

            Assert.AreEqual(f.Model.DefaultCombination, loaded.DefaultCombination);
            string[] scoredPrompts = ["How do I boil an egg?", "Hi"], scoredResponses = ["Boil it for eight minutes.", "Hello!"];
            var generic = ((Scoring.IRewardScorer)RewardModel.Load(path)).Score(scoredPrompts, scoredResponses);
            CollectionAssert.AreEqual(f.Model.Score(scoredPrompts, scoredResponses), generic.Select(s => s.Reward).ToArray(), "the generic scorer uses the saved combination");
            CollectionAssert.AreEquivalent(f.Model.ObjectiveNames.ToArray(), generic[0].Explanation!.Keys.Where(k => !k.StartsWith("weight.", StringComparison.Ordinal)).ToArray());
            var prompts = f.Test.Select(p => p.Prompt).ToList();
            var responses = f.Test.Select(p => p.Chosen).ToList();
            foreach (var combination in AllCombinations(f.Model.Objectives.Count))
            {
                CollectionAssert.AreEqual(f.Model.Score(prompts, responses, combination), loaded.Score(prompts, responses, combination), combination.Describe());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BytesRoundTripScoresBitIdenticallyAndRowsFromEmbeddingsMatchBatchScoring()
    {
        var f = Shared.Value;
        byte[] bytes = f.Model.ToBytes();
        var loaded = MultiObjectiveRewardModel.FromBytes(bytes, "in memory");
        var prompts = f.Test.Select(p => p.Prompt).ToList();
        var responses = f.Test.Select(p => p.Rejected).ToList();
        float[] expected = f.Model.Score(prompts, responses);
        CollectionAssert.AreEqual(expected, loaded.Score(prompts, responses));

        var embedder = loaded.Featurizer.Embedder;
        for (int i = 0; i < prompts.Count; i++)
        {
            var prompt = embedder.EmbedAll([prompts[i]]);
            var response = embedder.EmbedAll([responses[i]]);
            var values = loaded.Evaluate(ResponseBatch.FromEmbeddings(loaded.Featurizer, prompt, response, [responses[i]]));
            var (rewards, weights) = loaded.CombineWithWeights(values);
            Assert.AreEqual(expected[i], rewards[0], $"row {i}: one row from its embeddings scores as the batch does");
            Assert.AreEqual(1f, weights!.Row(0).ToArray().Sum(), 1e-5f);
            var (withPromptWeights, _) = loaded.CombineWithWeights(values, gateWeights: loaded.GateWeights(prompt));
            Assert.AreEqual(expected[i], withPromptWeights[0], $"row {i}: the prompt's precomputed gate weights give the same reward");
        }

        var error = Assert.ThrowsExactly<ModelFormatException>(() => MultiObjectiveRewardModel.FromBytes(bytes[..^10], "in memory"));
        StringAssert.StartsWith(error.Message, "in memory: ");
    }

    [TestMethod]
    public void WithCombinationScoresByItAsARewardScorerAndSavesItAsTheDefault()
    {
        var f = Shared.Value;
        var prompts = f.Test.Select(p => p.Prompt).ToList();
        var responses = f.Test.Select(p => p.Chosen).ToList();
        foreach (var combination in AllCombinations(f.Model.Objectives.Count))
        {
            var combined = f.Model.WithCombination(combination);
            Assert.AreEqual(combination, combined.DefaultCombination);
            float[] expected = f.Model.Score(prompts, responses, combination);
            CollectionAssert.AreEqual(expected, combined.Score(prompts, responses), combination.Describe());
            var scores = ((Scoring.IRewardScorer)combined).Score(prompts, responses);
            CollectionAssert.AreEqual(expected, scores.Select(s => s.Reward).ToArray(), combination.Describe());
            Assert.AreEqual(combination is GateCombination, scores[0].Explanation!.ContainsKey($"weight.{f.Model.ObjectiveNames[0]}"), combination.Describe());

            using var stream = new MemoryStream();
            combined.Save(stream);
            stream.Position = 0;
            var loaded = (MultiObjectiveRewardModel)RewardModel.Load(stream);
            Assert.AreEqual(combination.Describe(), loaded.DefaultCombination.Describe());
            CollectionAssert.AreEqual(expected, loaded.Score(prompts, responses), combination.Describe());
        }

        Assert.AreEqual($"multi-objective-reward ({string.Join(", ", f.Model.ObjectiveNames)})", f.Model.Description);
        var tooFew = new LinearScalarizer { Weights = [1f] };
        Assert.ThrowsExactly<ArgumentException>(() => f.Model.WithCombination(tooFew));
    }

    [TestMethod]
    public void DecorrelatedObjectivesMeetTheBoundOnTheReferenceSet()
    {
        var f = Shared.Value;
        var batch = ResponseBatch.FromPairs(f.Model.Featurizer, f.CombinerPairs);
        var values = f.Model.Evaluate(batch).Values;
        var verbosity = batch.Responses.Select(r => (double)LengthMeasure.Characters.Of(r)).ToArray();
        int decorrelated = 0;
        for (int j = 0; j < f.Model.Objectives.Count; j++)
        {
            var descriptor = f.Model.Objectives[j].Descriptor;
            if (descriptor.Kind == ObjectiveKind.Measured)
            {
                Assert.AreEqual(0f, descriptor.VerbosityLambda, "measured objectives are never decorrelated");
                continue;
            }

            var column = Enumerable.Range(0, values.Rows).Select(i => (double)values.Row(i)[j]).ToArray();
            double rho = Statistics.Spearman(column, verbosity);
            Assert.IsTrue(Math.Abs(rho) <= 0.03, $"{descriptor.Name}: Spearman with length {rho}");
            decorrelated += descriptor.VerbosityLambda != 0 ? 1 : 0;
        }

        Assert.IsTrue(decorrelated > 0, "the fixture should have at least one objective that needed a non-zero lambda");
    }

    [TestMethod]
    public void ExplanationsCarryObjectivesGateWeightsAndTheCombination()
    {
        var f = Shared.Value;
        var pair = f.Test[0];
        var gated = f.Model.Explain([pair.Prompt], [pair.Chosen])[0];
        Assert.AreEqual("gate", gated.Combination);
        Assert.IsNotNull(gated.Beta);
        Assert.AreEqual(f.Model.Objectives.Count, gated.Objectives.Count);
        Assert.AreEqual(1.0, gated.Objectives.Sum(o => o.GateWeight!.Value), 1e-5);
        Assert.AreEqual(gated.Beta.Value * gated.Objectives.Sum(o => o.GateWeight!.Value * o.Value), gated.Reward, 1e-4);
        Assert.AreEqual(f.Model.Score(pair.Prompt, pair.Chosen), gated.Reward);

        var min = f.Model.Explain([pair.Prompt], [pair.Chosen], new MinScalarizer())[0];
        Assert.AreEqual("min", min.Combination);
        Assert.IsNull(min.Beta);
        Assert.IsTrue(min.Objectives.All(o => o.GateWeight is null));
        Assert.AreEqual(min.Objectives.Min(o => o.Value), min.Reward);
        var length = min.Objectives.Single(o => o.Name == "length");
        Assert.AreEqual(LengthMeasure.Words.Of(pair.Chosen), length.Raw);
    }

    [TestMethod]
    public void SameSeedAndDataGiveBitIdenticalModels()
    {
        var f = Shared.Value;
        var again = f.Train();
        CollectionAssert.AreEqual(f.Model.Gate!.Parameters, again.Gate!.Parameters);
        for (int j = 0; j < f.Model.Objectives.Count; j++)
        {
            CollectionAssert.AreEqual(f.Model.Objectives[j].Head?.Parameters, again.Objectives[j].Head?.Parameters);
        }
    }

    [TestMethod]
    public void WithOneObjectiveTheCombinerReducesToIt()
    {
        var f = Shared.Value;

        // Without decorrelation: the one objective's value is then an increasing affine map of its raw reward.
        var trainer = new MultiObjectiveTrainer(f.Options with { MaxVerbositySpearman = null });
        var featurizer = new PairFeaturizer(new HashingTextEmbedder(Hashing), FeatureLayout.ResponseAndPromptProduct);
        var harmlessObjective = f.Model.Objectives.Single(o => o.Descriptor.Name == "harmless");
        var single = trainer.FitCombiner(featurizer, [harmlessObjective], f.CombinerPairs);
        Assert.AreEqual(0f, single.Objectives[0].Descriptor.VerbosityLambda);
        var values = single.Evaluate(ResponseBatch.FromPairs(single.Featurizer, f.Test));
        var gate = single.Combine(values);
        float beta = single.Gate!.Beta;
        for (int i = 0; i < values.Values.Rows; i++)
        {
            Assert.AreEqual(beta * values.Values.Row(i)[0], gate[i], 1e-5 * Math.Max(1, Math.Abs(gate[i])));
            Assert.AreEqual(values.Values.Row(i)[0], single.Combine(values, new MinScalarizer())[i]);
        }

        // The objective's ranking is the combined ranking: same pairwise accuracy.
        var harmless = harmlessObjective.Head!;
        int n = f.Test.Count;
        var data = single.Featurizer.Featurize(f.Test);
        Assert.AreEqual(PairwiseTrainer.Measure(harmless, data).Accuracy, Enumerable.Range(0, n).Average(i => gate[i] > gate[n + i] ? 1.0 : gate[i] == gate[n + i] ? 0.5 : 0), 1e-12);
    }

    [TestMethod]
    public void AHeadOfTheWrongDimensionIsAClearError()
    {
        var f = Shared.Value;
        var objectives = f.Model.Objectives.ToList();
        objectives[0] = objectives[0] with { Head = new LinearRewardHead(10) };
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MultiObjectiveRewardModel(new HashingTextEmbedder(Hashing), FeatureLayout.ResponseAndPromptProduct, objectives, f.Model.Verbosity, null, new MinScalarizer()));
        StringAssert.Contains(e.Message, $"objective '{objectives[0].Descriptor.Name}' has a head over 10 features");
        StringAssert.Contains(e.Message, "gives 128");
    }

    [TestMethod]
    public void AGateForAnotherObjectiveCountIsAClearError()
    {
        var f = Shared.Value;
        var gate = new GatingRewardHead(new GatingHeadSpec { ObjectiveCount = 2, HiddenSizes = [4] }, 64 + 2, 0);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new MultiObjectiveRewardModel(new HashingTextEmbedder(Hashing), FeatureLayout.ResponseAndPromptProduct, f.Model.Objectives, f.Model.Verbosity, gate, new GateCombination()));
        StringAssert.Contains(e.Message, $"weighs 2 objectives over 64-dimensional prompts, but the model has {f.Model.Objectives.Count} objectives");
    }

    [TestMethod]
    public void AnEditedManifestWithMismatchedDimensionsFailsToLoad()
    {
        var f = Shared.Value;
        string path = TestData.TempPath(".zip");
        try
        {
            f.Model.Save(path);
            EditManifest(path, manifest => manifest["gate"]!["objectiveCount"] = 2);
            var e = Assert.ThrowsExactly<ModelFormatException>(() => MultiObjectiveRewardModel.Load(path));
            StringAssert.Contains(e.Message, "the gate weighs 2 objectives but the manifest lists");

            f.Model.Save(path);
            EditManifest(path, manifest => manifest["inputDimension"] = 100);
            e = Assert.ThrowsExactly<ModelFormatException>(() => MultiObjectiveRewardModel.Load(path));
            StringAssert.Contains(e.Message, "inputDimension is 100");

            f.Model.Save(path);
            EditManifest(path, manifest => manifest["objectives"]![0]!["head"] = JsonNode.Parse("{\"kind\":\"mlp\",\"hiddenSizes\":[3]}"));
            e = Assert.ThrowsExactly<ModelFormatException>(() => MultiObjectiveRewardModel.Load(path));
            StringAssert.Contains(e.Message, "the weights have no tensor 'objectives.0.layers.0.weight'");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OtherLoadersRejectTheComponent()
    {
        var f = Shared.Value;
        string path = TestData.TempPath(".zip");
        try
        {
            f.Model.Save(path);
            var e = Assert.ThrowsExactly<ModelFormatException>(() => PairwiseRewardModel.Load(path));
            StringAssert.Contains(e.Message, "holds a 'multi-objective-reward' model");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheGateCannotBeChosenWithoutOne()
    {
        var f = Shared.Value;
        var model = new MultiObjectiveRewardModel(new HashingTextEmbedder(Hashing), FeatureLayout.ResponseAndPromptProduct, f.Model.Objectives, f.Model.Verbosity, null, new MinScalarizer());
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.Score("p", "r", new GateCombination()));
        StringAssert.Contains(e.Message, "this model has no gate");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Score("p", "r", new LinearScalarizer { Weights = [1f] })).Message, "1 weights but the model has 4 objectives");
    }

    [TestMethod]
    public void TrainerRejectsBadDefinitions()
    {
        var f = Shared.Value;
        var trainer = new MultiObjectiveTrainer(f.Options);
        var featurizer = new PairFeaturizer(new HashingTextEmbedder(Hashing), FeatureLayout.Response);
        StringAssert.Contains(
            Assert.ThrowsExactly<ArgumentException>(() => trainer.FitObjectives(featurizer, [new MeasuredObjectiveDefinition("x", LengthMeasure.Words), new MeasuredObjectiveDefinition("x", LengthMeasure.Characters)])).Message,
            "objective 'x' is defined 2 times");
        StringAssert.Contains(
            Assert.ThrowsExactly<ArgumentException>(() => trainer.FitObjectives(featurizer, [new RegressionObjectiveDefinition("honesty", "honesty", f.Rated)])).Message,
            "no row rates 'honesty'");
    }

    [TestMethod]
    public void WithoutAGateLinearWeightsAreFitAndBecomeTheDefault()
    {
        var f = Shared.Value;
        var trainer = new MultiObjectiveTrainer(f.Options with { TrainGate = false });
        var featurizer = new PairFeaturizer(new HashingTextEmbedder(Hashing), FeatureLayout.ResponseAndPromptProduct);
        var objectives = f.Model.Objectives.Select(o => o with { Descriptor = o.Descriptor with { Mean = 0, Scale = 1, VerbosityLambda = 0 } }).ToList();
        var model = trainer.FitCombiner(featurizer, objectives, f.CombinerPairs);
        Assert.IsNull(model.Gate);
        var linear = (LinearScalarizer)model.DefaultCombination;
        Assert.AreEqual(objectives.Count, linear.Weights.Count);
        Assert.IsTrue(linear.Weights.Any(w => w != 0));
    }

    private static void EditManifest(string path, Action<JsonObject> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry(ModelArchive.ManifestEntry)!;
        JsonObject manifest;
        using (var stream = entry.Open())
        {
            manifest = JsonNode.Parse(stream)!.AsObject();
        }

        entry.Delete();
        edit(manifest);
        using var output = zip.CreateEntry(ModelArchive.ManifestEntry).Open();
        using var writer = new StreamWriter(output);
        writer.Write(manifest.ToJsonString());
    }

    /// <summary>A small model trained once on slices of the shared data: two ratings, one principle, and length.</summary>
    private sealed class Fixture
    {
        public Fixture()
        {
            Rated = [.. RatedResponseReader.Read(SharedFiles.Data("helpsteer-sample.jsonl.gz")).Take(120)];
            Harmless = TestData.SharedPairs("hh-harmless-train-sample.jsonl.gz", 150);
            CombinerPairs = TestData.SharedPairs("hh-helpful-train-sample.jsonl.gz", 160);
            Test = [.. PreferencePairReader.Read(SharedFiles.Data("hh-helpful-train-sample.jsonl.gz")).Skip(400).Take(40)];
            Options = new MultiObjectiveTrainerOptions
            {
                Ridge = new RidgeOptions { Penalties = RidgeOptions.LogSpaced(1e-2, 1e2, 5) },
                Preference = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 4, MaxDegreeOfParallelism = 2 },
                Gate = new GatingHeadSpec { HiddenSizes = [16], Temperature = 1f },
                GateTrainer = new PairwiseTrainerOptions { MaxEpochs = 3, MaxDegreeOfParallelism = 2 },
                VerbosityMeasure = LengthMeasure.Characters,
                MaxVerbositySpearman = 0.03,
                Seed = 11,
            };
            Model = Train();
        }

        public List<RatedResponse> Rated { get; }

        public List<PreferencePair> Harmless { get; }

        public List<PreferencePair> CombinerPairs { get; }

        public List<PreferencePair> Test { get; }

        public MultiObjectiveTrainerOptions Options { get; }

        public MultiObjectiveRewardModel Model { get; }

        public MultiObjectiveRewardModel Train() => new MultiObjectiveTrainer(Options).Fit(
            new HashingTextEmbedder(Hashing),
            FeatureLayout.ResponseAndPromptProduct,
            [
                new RegressionObjectiveDefinition("helpfulness", "helpfulness", Rated),
                new RegressionObjectiveDefinition("coherence", "coherence", Rated),
                new PreferenceObjectiveDefinition("harmless", Harmless),
                new MeasuredObjectiveDefinition("length", LengthMeasure.Words),
            ],
            CombinerPairs);
    }
}
