using MLNet.Rewards.Generation;
using MLNet.Rewards.Guidance;
using MLNet.Rewards.Tests.Generation;

namespace MLNet.Rewards.Tests.Guidance;

[TestClass]
public sealed class GenArmGuideTests
{
    private static AutoregressiveRewardModel RandomHead(long seed, int topK = 16)
    {
        var shape = SmolLm.Model.Shape;
        var head = new AutoregressiveRewardModel("random", 4, shape.HiddenSize, shape.VocabularySize, topK, seed);
        var random = new SeededRandom(seed + 1);
        var b = head.Parameters.AsSpan(4 * shape.HiddenSize);
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = (float)random.NextGaussian();
        }

        return head;
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void WithEveryAlphaZeroGuidedDecodingEqualsBaseDecoding()
    {
        var generator = new TextGenerator(SmolLm.Model);
        var lie = SmolLmFixture.Instance.Generations[3];
        var guide = new GenArmGuide([new WeightedArm(RandomHead(1), 0f), new WeightedArm(RandomHead(2), 0f)], beta: 0.5f);
        var greedy = SamplingOptions.Greedy(12);
        CollectionAssert.AreEqual(
            generator.Generate(lie.Messages, 1, greedy).Candidates[0].TokenIds,
            generator.Generate(lie.Messages, 1, greedy, guide).Candidates[0].TokenIds);

        var sampled = new SamplingOptions { Temperature = 1f, TopK = 0, TopP = 0.9f, MaxNewTokens = 12, Seed = 4 };
        var plain = generator.Generate(lie.Messages, 2, sampled);
        var guided = generator.Generate(lie.Messages, 2, sampled, guide);
        for (int i = 0; i < 2; i++)
        {
            CollectionAssert.AreEqual(plain.Candidates[i].TokenIds, guided.Candidates[i].TokenIds);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void GuidanceScoresFollowTheFormulaAndChangeTheOutput()
    {
        var model = SmolLm.Model;
        var head = RandomHead(3);
        using var state = model.Prefill(SmolLmFixture.Instance.Generations[3].PromptIds, 1);
        var logits = state.Logits.Row(0).ToArray();
        var scores = logits.ToArray();
        const float Alpha = 2f, Beta = 0.5f;
        new GenArmGuide([new WeightedArm(head, Alpha)], Beta).Guide(state.Hidden.Row(0), scores);

        // Reference: log π_base + (α/β)·log π_r with π_r = softmax(z + correction on the base top-K), in double precision.
        double baseNormalizer = LogSumExp(logits.Select(v => (double)v));
        var top = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Take(head.TopK).ToHashSet();
        var u = new float[head.Rank];
        head.Project(state.Hidden.Row(0), u);
        var corrected = logits.Select((v, i) => top.Contains(i) ? (double)v + head.Correction(i, u) : v).ToArray();
        double armNormalizer = LogSumExp(corrected);
        for (int i = 0; i < logits.Length; i += 97)
        {
            double expected = logits[i] - baseNormalizer + ((Alpha / Beta) * (corrected[i] - armNormalizer));
            Assert.AreEqual(expected, scores[i], 1e-2, $"token {i}");
        }

        foreach (int i in top)
        {
            double expected = logits[i] - baseNormalizer + ((Alpha / Beta) * (corrected[i] - armNormalizer));
            Assert.AreEqual(expected, scores[i], 1e-2, $"top token {i}");
        }

        var generator = new TextGenerator(model);
        var lie = SmolLmFixture.Instance.Generations[3];
        var plain = generator.Generate(lie.Messages, 1, SamplingOptions.Greedy(8));
        var steered = generator.Generate(lie.Messages, 1, SamplingOptions.Greedy(8), new GenArmGuide([new WeightedArm(head, 8f)]));
        CollectionAssert.AreNotEqual(plain.Candidates[0].TokenIds, steered.Candidates[0].TokenIds);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void ExtractedFeaturesGiveAnUntrainedHeadTheBaseLogLikelihood()
    {
        var model = SmolLm.Model;
        var extractor = new ArmFeatureExtractor(model, new ArmFeatureOptions { TopK = 8, MaxPromptTokens = 64, MaxResponseTokens = 12 });
        const string Prompt = "\n\nHuman: How do I bake bread?\n\nAssistant:";
        const string Response = " Mix flour, water, yeast and salt, knead, let it rise, then bake.";
        var features = extractor.Extract(Prompt, Response);
        Assert.AreEqual(12, features.Length);
        Assert.AreSame(features, extractor.Extract(Prompt, Response));

        int[] promptIds = DialoguePrompt.EncodeWithin(model, DialoguePrompt.ToMessages(Prompt), 64);
        CollectionAssert.AreEqual(model.EncodeChat([ChatMessage.User("How do I bake bread?")]), promptIds);
        int[] responseIds = [.. model.Tokenizer.EncodeOrdinary(Response.Trim()).Take(12)];
        CollectionAssert.AreEqual(responseIds, features.Targets);
        var (_, logits) = model.Forward([.. promptIds, .. responseIds]);
        double expected = 0;
        for (int t = 0; t < responseIds.Length; t++)
        {
            var row = logits.Row(promptIds.Length + t - 1).ToArray();
            expected += row[responseIds[t]] - LogSumExp(row.Select(v => (double)v));
        }

        var head = new AutoregressiveRewardModel("untrained", 4, model.Shape.HiddenSize, model.Shape.VocabularySize, 8, seed: 1);
        Assert.AreEqual(expected, head.Reward(features), 1e-3 * Math.Abs(expected));
    }

    private static double LogSumExp(IEnumerable<double> values)
    {
        var list = values.ToList();
        double max = list.Max();
        return max + Math.Log(list.Sum(v => Math.Exp(v - max)));
    }
}
