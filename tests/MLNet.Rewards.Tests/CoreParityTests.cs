using MLNet.Rewards.Models;

namespace MLNet.Rewards.Tests;

/// <summary>The ML.NET layer is a thin shell over Core: same data and seed give the same head and the same rewards.</summary>
[TestClass]
public sealed class CoreParityTests
{
    [TestMethod]
    [DataRow("linear")]
    [DataRow("mlp")]
    [DataRow("prototype")]
    public void PairwiseRewardTrainsTheSameHeadAsCoreAndScoresIdentically(string head)
    {
        var pairs = Fixtures.Pairs(80);
        var hashing = new HashingFeaturizerSpec { Buckets = 128 };
        var options = new PairwiseTrainerOptions
        {
            Head = head switch
            {
                "linear" => new LinearHeadSpec(),
                "mlp" => new MlpHeadSpec { HiddenSizes = [24, 8] },
                _ => new PrototypeHeadSpec { Prototypes = 8, KMeansIterations = 3 },
            },
            MaxEpochs = 4,
            Seed = 11,
        };
        var core = new PairwiseRewardEstimator(new HashingTextEmbedder(hashing), options).Fit(pairs);

        var ml = new MLContext(seed: 1);
        var model = ml.Rewards().EmbedText("PromptEmbedding", "Prompt", hashing)
            .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", hashing))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                PromptFeatureColumnName = "PromptEmbedding",
                ValidationGroupColumnName = "Prompt",
                Trainer = options,
            }))
            .Fit(ml.Rewards().LoadPreferencePairs(pairs));

        CollectionAssert.AreEqual(core.Head.Parameters, model.LastTransformer.Head.Parameters, "the ML.NET trainer should train exactly Core's head");
        Assert.AreEqual(FeatureLayout.ResponseAndPromptProduct, model.LastTransformer.Layout);

        var rows = PreferenceRow.From(pairs).ToList();
        float[] coreScores = core.Score([.. rows.Select(r => r.Prompt)], [.. rows.Select(r => r.Response)]);
        float[] mlScores = [.. model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float>("Score")];
        CollectionAssert.AreEqual(coreScores, mlScores);
    }

    [TestMethod]
    public void PairwiseRewardSameSeedAndDataGiveBitIdenticalModels()
    {
        var pairs = Fixtures.Pairs(40);
        float[] Train()
        {
            var ml = new MLContext(seed: 1);
            var model = ml.Rewards().EmbedText("Features", "Response", new HashingFeaturizerSpec { Buckets = 64 })
                .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
                {
                    Trainer = new PairwiseTrainerOptions { Head = new MlpHeadSpec { HiddenSizes = [8] }, MaxEpochs = 3, Seed = 2 },
                }))
                .Fit(ml.Rewards().LoadPreferencePairs(pairs));
            return model.LastTransformer.Head.Parameters;
        }

        CollectionAssert.AreEqual(Train(), Train());
    }
}
