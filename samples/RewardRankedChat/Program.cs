// Sample 4: best-of-N chat in a Microsoft.Extensions.AI app. Any IChatClient works as the generator (OpenAI, Ollama...);
// this one uses the local SmolLM2 model so that it runs offline, and ranks its candidates with a reward model zip
// (from `mlnet-rewards train`, `train-ensemble` or `train-multi-objective`).
// Usage: dotnet run --project samples/RewardRankedChat -- --reward model.zip [--llm ../shared/models/SmolLM2-135M-Instruct-q4]
//        [--candidates 4] [--minimum-reward R] "question"
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MLNet.Rewards.Extensions.AI;
using MLNet.Rewards.Generation;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using MLNet.Rewards.Models;
using MLNet.Rewards.Scoring;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
string? question = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
    {
        options[args[i]] = args[++i];
    }
    else
    {
        question = args[i];
    }
}

if (question is null || !options.TryGetValue("--reward", out string? rewardPath))
{
    Console.Error.WriteLine("usage: RewardRankedChat --reward model.zip [--llm folder] [--candidates N] [--minimum-reward R] \"question\"");
    return 2;
}

string llm = options.GetValueOrDefault("--llm", "../shared/models/SmolLM2-135M-Instruct-q4");
var ranking = new RewardRankingOptions
{
    Candidates = int.Parse(options.GetValueOrDefault("--candidates", "4"), CultureInfo.InvariantCulture),
    MinimumReward = options.TryGetValue("--minimum-reward", out string? minimum) ? float.Parse(minimum, CultureInfo.InvariantCulture) : null,
    MaxRounds = 2,
};

IRewardScorer reward = RewardModel.Load(rewardPath);
using var local = LocalChatClient.Load(llm, new CausalLanguageModelOptions { Threads = 2 });
using var chat = local.WithRewardRanking(reward, ranking);

ChatMessage[] conversation = [new(ChatRole.User, question)];
var response = await chat.GetResponseAsync(conversation, new ChatOptions { Temperature = 0.8f, MaxOutputTokens = 64, Seed = 1 });
var rewards = (float[])response.AdditionalProperties![RewardProperties.CandidateRewards]!;
Console.WriteLine(response.Text);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"reward {response.AdditionalProperties[RewardProperties.Reward]:F3}; candidates {string.Join(", ", rewards.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}; refused {response.AdditionalProperties[RewardProperties.Refused]}"));

// The same reward model as a Microsoft.Extensions.AI.Evaluation evaluator, e.g. in an evaluation test suite.
var evaluation = await new RewardModelEvaluator(reward).EvaluateAsync(conversation, response);
var metric = evaluation.Get<NumericMetric>(RewardModelEvaluator.RewardMetricName);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"evaluator: {metric.Name} = {metric.Value:F3}{string.Concat((metric.Diagnostics ?? []).Select(d => $"; {d.Message}"))}"));
return 0;
