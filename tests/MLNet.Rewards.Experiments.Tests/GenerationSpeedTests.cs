using MLNet.Rewards.Experiments.Generation;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Tests.Generation;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Experiments.Tests;

[TestClass]
public sealed class GenerationSpeedTests
{
    private static string FixturePath => Path.Combine(SmolLmFixture.Folder, ReferenceGeneration.FixtureFileName);

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void ReferenceGenerationsAreReadAsTheFixtureRecordsThem()
    {
        var references = ReferenceGeneration.ReadFixture(FixturePath);
        var expected = SmolLmFixture.Instance.Generations;
        Assert.HasCount(expected.Count, references);
        for (int i = 0; i < expected.Count; i++)
        {
            CollectionAssert.AreEqual(expected[i].Messages, references[i].Messages.ToArray());
            CollectionAssert.AreEqual(expected[i].PromptIds, references[i].PromptIds);
            CollectionAssert.AreEqual(expected[i].Steps.Select(s => s.Token).ToArray(), references[i].TokenIds);
            CollectionAssert.AreEqual(expected[i].Steps.Select(s => s.Top5Ids[4]).ToArray(), references[i].TopLogits.Select(t => t[4].Token).ToArray());
            CollectionAssert.AreEqual(expected[i].Steps.Select(s => s.Top5Logits[0]).ToArray(), references[i].TopLogits.Select(t => t[0].Logit).ToArray());
            Assert.AreEqual(expected[i].TokensPerSecond, references[i].ReferenceTokensPerSecond);
            Assert.AreEqual(expected[i].Steps.Length, references[i].GreedyOptions.MaxNewTokens);
            Assert.AreEqual(0f, references[i].GreedyOptions.Temperature);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void OurGreedyGenerationVerifiesAgainstEveryReferenceAndItsSpeedAddsUp()
    {
        var generator = new TextGenerator(SmolLm.Model);
        var speeds = new List<DecodingSpeed>();
        foreach (var reference in ReferenceGeneration.ReadFixture(FixturePath))
        {
            var result = generator.Generate(reference.PromptIds, 1, reference.GreedyOptions);
            int? nearTie = reference.Verify(result.Candidates[0].TokenIds, "ours");
            if (FixtureKernels.RunHere)
            {
                Assert.IsNull(nearTie, "on the fixture's kernels every id is the fixture's");
            }

            var speed = DecodingSpeed.Of(result);
            Assert.AreEqual(reference.PromptIds.Length, speed.PromptTokens);
            Assert.AreEqual(result.Candidates[0].TokenIds.Length, speed.GeneratedTokens);
            Assert.AreEqual(result.ModelCalls - 1, speed.DecodedTokens, "one decoding step per token after the first");
            Assert.AreEqual(result.Elapsed, speed.Prefill + speed.Decode);
            Assert.AreEqual(speed.DecodedTokens / speed.Decode.TotalSeconds, speed.DecodeTokensPerSecond, 1e-9);
            speeds.Add(speed);
        }

        var all = DecodingSpeed.Sum(speeds);
        Assert.AreEqual(4, all.Generations);
        Assert.AreEqual(speeds.Sum(s => s.GeneratedTokens), all.GeneratedTokens);
        Assert.AreEqual(speeds.Sum(s => s.GeneratedTokens) / speeds.Sum(s => (s.Prefill + s.Decode).TotalSeconds), all.TotalTokensPerSecond, 1e-6);
    }

    [TestMethod]
    public void ADifferentTokenOrLengthIsAMismatchNamingTheStep()
    {
        var reference = new ReferenceGeneration([ChatMessage.User("Is it ever OK to lie?")], [1, 2, 3], [10, 11, 12, 2], TopLogits([10, 11, 12, 2]), 20);
        Assert.IsNull(reference.Verify([10, 11, 12, 2], "ours"));

        var changed = Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([10, 11, 99, 2], "ours"));
        StringAssert.Contains(changed.Message, "'Is it ever OK to lie?'");
        StringAssert.Contains(changed.Message, "at step 2 the reference chose token 12 and ours chose 99");
        StringAssert.Contains(changed.Message, "reference [10, 11, 12, 2], ours [10, 11, 99, 2]");

        var shorter = Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([10, 11, 12], "ours"));
        StringAssert.Contains(shorter.Message, "ours produced 3 tokens and the reference 4");
        var longer = Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([10, 11, 12, 2, 5], "ours"));
        StringAssert.Contains(longer.Message, "ours produced 5 tokens and the reference 4");
    }

    [TestMethod]
    public void ADepartureToANearTieOfTheReferenceIsAcceptedAndNamed()
    {
        // At step 1 the reference's second-best token 40 is 0.3 below its choice, the third-best 41 is 0.8 below.
        (int, float)[][] top = [[(10, 5f), (30, 1f)], [(11, 9f), (40, 8.7f), (41, 8.2f)], [(12, 3f)], [(2, 7f)]];
        var reference = new ReferenceGeneration([ChatMessage.User("Name a colour.")], [1, 2, 3], [10, 11, 12, 2], top, 20);
        Assert.AreEqual(1, reference.Verify([10, 40, 7, 7, 7], "ours"));

        var far = Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([10, 41, 12, 2], "ours"));
        StringAssert.Contains(far.Message, "at step 1 the reference chose token 11 and ours chose 41");
        var absent = Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([10, 11, 13, 2], "ours"));
        StringAssert.Contains(absent.Message, "at step 2 the reference chose token 12 and ours chose 13");
        Assert.ThrowsExactly<GenerationMismatchException>(() => reference.Verify([30, 11, 12, 2], "ours"), "4 below the best is no tie");
    }

    private static (int, float)[][] TopLogits(int[] tokens) => [.. tokens.Select(t => new[] { (t, 1f) })];

    [TestMethod]
    public void SpeedIsDefinedForOneCandidateOnly()
    {
        var one = new GeneratedText(0, "a", [5, 2], FinishReason.Stop);
        var result = new GenerationResult([one, one with { Candidate = 1 }], 3, 2, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(100));
        var e = Assert.ThrowsExactly<ArgumentException>(() => DecodingSpeed.Of(result));
        StringAssert.Contains(e.Message, "the generation has 2");

        var speed = DecodingSpeed.Of(result with { Candidates = [one] });
        Assert.AreEqual(TimeSpan.FromMilliseconds(60), speed.Decode);
        Assert.AreEqual(1 / 0.060, speed.DecodeTokensPerSecond, 1e-9);
        Assert.AreEqual(2 / 0.100, speed.TotalTokensPerSecond, 1e-9);
    }

    [TestMethod]
    [DataRow("""{"generations": [{"messages": [], "prompt_ids": [1], "steps": [{"token": 2}]}]}""", "generations[0]: has no 'tokens_per_second_python_ort'")]
    [DataRow("""{"tokenizer_cases": []}""", "has no 'generations'")]
    [DataRow("""{"generations": [{"messages": [], "prompt_ids": [], "steps": [{"token": 2}], "tokens_per_second_python_ort": 1}]}""", "a generation needs prompt_ids and at least one step")]
    [DataRow("""{"generations": [{"messages": [], "prompt_ids": [1], "steps": [{"token": 2, "top5_ids": [2], "top5_logits": []}], "tokens_per_second_python_ort": 1}]}""", "a step needs as many top5_ids as top5_logits")]
    [DataRow("""{"generations": [{"messages": [], "prompt_ids": ["x"], "steps": [], "tokens_per_second_python_ort": 1}]}""", "a field has the wrong type")]
    [DataRow("""{"generations": [""", "not valid JSON")]
    public void MalformedFixturesGiveClearErrors(string json, string expected)
    {
        string path = TestData.WriteLines([json], ".json");
        try
        {
            var e = Assert.ThrowsExactly<ModelFormatException>(() => ReferenceGeneration.ReadFixture(path));
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AMissingFixtureIsNamed()
    {
        string path = TestData.TempPath(".json");
        var e = Assert.ThrowsExactly<ModelFormatException>(() => ReferenceGeneration.ReadFixture(path));
        StringAssert.Contains(e.Message, $"{path}: fixture file not found");
    }
}
