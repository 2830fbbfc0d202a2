using Microsoft.ML;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards;
using MLNet.Rewards.Pairwise;
using MLNet.Rewards.Training;

namespace PairwiseRewardModel;

public static partial class RewardModel
{
    /// <summary>Trains on a JSONL file of {"prompt","chosen","rejected"} pairs and saves the model zip.</summary>
    public static ITransformer Train(MLContext mlContext, string trainDataPath, string outputModelPath, HeadSpec head)
    {
        var trainData = mlContext.Rewards().LoadPreferencePairs(PreferencePairReader.ReadAll(trainDataPath));
        var model = BuildPipeline(mlContext, head).Fit(trainData);
        mlContext.Model.Save(model, trainData.Schema, outputModelPath);
        return model;
    }

    /// <summary>
    /// Embeds prompt and response with the hashing featurizer and trains a Bradley–Terry reward head on the response
    /// embedding and its product with the prompt embedding. Training rows: PairId, Prompt, Response, Label.
    /// </summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, HeadSpec head)
    {
        var featurizer = new HashingFeaturizerSpec { Buckets = 1024 };
        return mlContext.Rewards().EmbedText(outputColumnName: "PromptEmbedding", inputColumnName: "Prompt", featurizer)
            .Append(mlContext.Rewards().EmbedText(outputColumnName: "ResponseEmbedding", inputColumnName: "Response", featurizer))
            .Append(mlContext.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                PromptFeatureColumnName = "PromptEmbedding",
                ValidationGroupColumnName = "Prompt",
                ScoreColumnName = "Score",
                Trainer = new PairwiseTrainerOptions { Head = head, MaxEpochs = 10, Seed = 1 },
            }));
    }
}
