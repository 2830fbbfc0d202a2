using System.IO.Compression;
using System.Text.Json.Nodes;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class LikelihoodRewardModelTests
{
    private static readonly string[] Prompts = ["What is the capital of France?", "Name three colours of the rainbow."];
    private static readonly string[] Answers = ["The capital of France is Paris.", "Red, orange and yellow."];

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AZipRoundTripScoresBitIdenticallyAndLoadsThroughTheModelBase()
    {
        string path = TestData.TempPath(".zip");
        try
        {
            using var model = LikelihoodRewardModel.Create(SmolLmFixture.Folder, new LikelihoodRewardOptions { MaxResponseTokens = 64 });
            model.Save(path);
            Assert.AreEqual(LikelihoodRewardModel.ComponentName, ModelArchive.ReadComponent(path));

            var loaded = RewardModel.Load(path);
            Assert.IsInstanceOfType<LikelihoodRewardModel>(loaded);
            using var reloaded = (LikelihoodRewardModel)loaded;
            Assert.AreEqual(model.Options, reloaded.Options);
            Assert.AreEqual(model.ModelSha256, reloaded.ModelSha256);
            CollectionAssert.AreEqual(model.Score(Prompts, Answers), reloaded.Score(Prompts, Answers));
            StringAssert.Contains(reloaded.Description, "PointwiseMutualInformationPerToken under SmolLM2-135M-Instruct-q4");

            var explained = ((IRewardScorer)reloaded).Score(Prompts[..1], Answers[..1]).Single();
            var parts = explained.Explanation!;
            float perToken = (parts[LikelihoodRewardModel.LogLikelihoodKey] - parts[LikelihoodRewardModel.WithoutPromptKey]) / parts[LikelihoodRewardModel.TokensKey];
            Assert.AreEqual(perToken, explained.Reward, 1e-5f);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EachAnswerScoresHigherAfterItsOwnQuestionThanAfterTheOther()
    {
        using var model = LikelihoodRewardModel.Create(SmolLmFixture.Folder);
        var own = model.Score(Prompts, Answers);
        var swapped = model.Score(Prompts, [Answers[1], Answers[0]]);
        Assert.IsGreaterThan(swapped[1], own[0], "Paris after the capital question, not after the colours one");
        Assert.IsGreaterThan(swapped[0], own[1], "colours after the colours question, not after the capital one");

        foreach (var kind in Enum.GetValues<LikelihoodReward>())
        {
            using var other = LikelihoodRewardModel.Create(SmolLmFixture.Folder, new LikelihoodRewardOptions { Reward = kind });
            Assert.IsTrue(other.Score(Prompts, Answers).All(float.IsFinite), kind.ToString());
        }

        Assert.ThrowsExactly<ArgumentException>(() => model.Score(Prompts, Answers[..1]));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AnotherChatModelFileThanTheZipsIsRefusedBeforeItIsLoaded()
    {
        string path = TestData.TempPath(".zip");
        string folder = Directory.CreateTempSubdirectory("mlnet-rewards-likelihood-").FullName;
        try
        {
            using (var model = LikelihoodRewardModel.Create(SmolLmFixture.Folder))
            {
                model.Save(path);
            }

            foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json", "config.json" })
            {
                File.CreateSymbolicLink(Path.Combine(folder, name), Path.Combine(SmolLmFixture.Folder, name));
            }

            File.WriteAllText(Path.Combine(folder, "model.onnx"), "not the model");
            var e = Assert.ThrowsExactly<ModelFormatException>(() => RewardModel.Load(path, new FeaturizerContext { ModelDirectory = folder }));
            StringAssert.Contains(e.Message, "is not the chat model the model was built with");
        }
        finally
        {
            File.Delete(path);
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void InvalidSavedOptionsAreAFormatErrorNamingTheSetting()
    {
        string path = TestData.TempPath(".zip");
        try
        {
            using (var model = LikelihoodRewardModel.Create(SmolLmFixture.Folder))
            {
                model.Save(path);
            }

            // Rewrite the manifest with a limit no model could have been saved with (the checksum covers the weights only).
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.GetEntry(ModelArchive.ManifestEntry)!;
                JsonNode manifest;
                using (var reader = new StreamReader(entry.Open()))
                {
                    manifest = JsonNode.Parse(reader.ReadToEnd())!;
                }

                manifest["options"]!["maxResponseTokens"] = 0;
                entry.Delete();
                using var writer = new StreamWriter(zip.CreateEntry(ModelArchive.ManifestEntry).Open());
                writer.Write(manifest.ToJsonString());
            }

            var e = Assert.ThrowsExactly<ModelFormatException>(() => LikelihoodRewardModel.Load(path));
            StringAssert.Contains(e.Message, "MaxResponseTokens");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void BadOptionsAreRefusedWithTheirName()
    {
        var e = Assert.ThrowsExactly<InvalidOptionException>(() => new LikelihoodRewardOptions { MaxPromptTokens = 4 }.Validate());
        StringAssert.Contains(e.Message, "MaxPromptTokens");
        Assert.ThrowsExactly<InvalidOptionException>(() => new LikelihoodRewardOptions { Reward = (LikelihoodReward)7 }.Validate());
    }
}
