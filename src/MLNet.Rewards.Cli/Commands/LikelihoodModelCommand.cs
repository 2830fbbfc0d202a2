using System.CommandLine;
using MLNet.Rewards.Models;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// <c>likelihood-model</c>: writes the zip of a <see cref="LikelihoodRewardModel"/>, a reward model with no training (a
/// local chat model's log-likelihoods), which evaluate, score and generate --best-of then load like any other.
/// </summary>
internal static class LikelihoodModelCommand
{
    public static Command Create()
    {
        var llm = SharedOptions.Llm();
        var output = SharedOptions.OutputFile("Where to write the model zip.");
        var reward = new Option<LikelihoodReward>("--reward")
        {
            Description = "The reward: PointwiseMutualInformationPerToken ((log p(y|x) - log p(y)) per token), PointwiseMutualInformation (summed) or LogLikelihoodPerToken (log p(y|x) per token).",
            DefaultValueFactory = _ => LikelihoodReward.PointwiseMutualInformationPerToken,
        };
        var (maxPrompt, maxResponse) = SharedOptions.LikelihoodTokenLimits();
        var command = new Command("likelihood-model", "Write a reward model zip that needs no training: the local chat model's log-likelihood of each response after its prompt and after an empty user turn, read as a reward (by default their difference per token, the pointwise mutual information). The zip names the chat model folder and its SHA-256; it holds no weights.")
        {
            llm, output, reward, maxPrompt, maxResponse,
        };
        command.SetAction((parse, cancel) =>
        {
            var options = new LikelihoodRewardOptions { Reward = parse.GetValue(reward), MaxPromptTokens = parse.GetValue(maxPrompt), MaxResponseTokens = parse.GetValue(maxResponse) };
            options.Validate();
            var target = parse.GetValue(output)!;
            using var model = LikelihoodRewardModel.Create(parse.GetValue(llm)!.FullName, options);
            model.Save(target.FullName);
            Console.WriteLine($"saved {target.FullName}: {model.Description}, chat model sha256 {model.ModelSha256}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
