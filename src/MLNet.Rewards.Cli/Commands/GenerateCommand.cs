using System.CommandLine;
using System.Globalization;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Guidance;
using MLNet.Rewards.Models;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Cli.Commands;

/// <summary><c>generate</c>: answers a prompt with the local chat model, optionally best-of-N ranked by a reward model.</summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var llm = SharedOptions.Llm();
        var prompt = new Option<string>("--prompt") { Description = "The user's message.", Required = true };
        var system = new Option<string?>("--system") { Description = "A system message (default: the template's own)." };
        var bestOf = new Option<int>("--best-of") { Description = "Generate N candidates and rank them with --reward.", DefaultValueFactory = _ => 1 };
        var reward = new Option<FileInfo?>("--reward") { Description = "A reward model zip (from 'train') that ranks the candidates." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per answer.", DefaultValueFactory = _ => 128 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 0.7f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the K most likely tokens (0 = all).", DefaultValueFactory = _ => 50 };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling mass (1 = off).", DefaultValueFactory = _ => 0.95f };
        var seed = SharedOptions.Seed<long>("Sampling seed.");
        var threads = SharedOptions.OnnxThreads();
        var arms = new Option<FileInfo[]>("--arm") { Description = "GenARM reward heads (from 'genarm-train') that steer each token.", AllowMultipleArgumentsPerToken = true };
        var alphas = new Option<float[]>("--alpha") { Description = "Weight of each --arm, in order (default 1 each).", AllowMultipleArgumentsPerToken = true };
        var beta = new Option<float>("--beta") { Description = "GenARM's beta: scores are log p_base + (1/beta) * sum alpha_i log p_arm_i.", DefaultValueFactory = _ => 1f };
        var command = new Command("generate", "Answer a prompt with the local chat model (streamed); with --best-of N and --reward, generate N answers and rank them by reward; with --arm, steer every token with GenARM reward heads.")
        {
            llm, prompt, system, bestOf, reward, maxTokens, temperature, topK, topP, seed, threads, arms, alphas, beta,
        };
        command.SetAction((parse, cancel) =>
        {
            int n = parse.GetValue(bestOf);
            var rewardFile = parse.GetValue(reward);
            if (n < 1)
            {
                throw new UsageException("--best-of must be at least 1");
            }

            if (n > 1 && rewardFile is null)
            {
                throw new UsageException("--best-of N needs --reward model.zip to rank the candidates");
            }

            var options = new SamplingOptions
            {
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                MaxNewTokens = parse.GetValue(maxTokens),
                Seed = parse.GetValue(seed),
            };
            options.Validate();
            IRewardScorer? scorer = rewardFile is null ? null : RewardModel.Load(rewardFile.FullName);
            using var model = CausalLanguageModel.Load(parse.GetValue(llm)!.FullName, new CausalLanguageModelOptions { Threads = parse.GetValue(threads) });
            var generator = new TextGenerator(model);
            var guide = CreateGuide(parse.GetValue(arms) ?? [], parse.GetValue(alphas) ?? [], parse.GetValue(beta));
            string userText = parse.GetValue(prompt)!;
            List<ChatMessage> messages = parse.GetValue(system) is { } systemText ? [ChatMessage.System(systemText), ChatMessage.User(userText)] : [ChatMessage.User(userText)];

            if (n == 1)
            {
                var single = generator.Generate(messages, 1, options, guide, piece => Console.Write(piece.Text), cancel);
                Console.WriteLine();
                var answer = single.Candidates[0];
                string rewardText = scorer is null ? "" : $", reward {scorer.Score([userText], [answer.Text])[0].Reward.ToString("F3", CultureInfo.InvariantCulture)}";
                Console.Error.WriteLine($"{answer.TokenIds.Length} tokens ({answer.FinishReason}), {single.DecodeTokensPerSecond:F1} tokens/s{rewardText}");
                return Task.FromResult(ExitCodes.Success);
            }

            var selector = new BestOfNSelector(generator, scorer!);
            var result = ProgressDisplay.Run($"generating {n} candidates", progress =>
            {
                int done = 0;
                return selector.Generate(messages, userText, n, options, guide, piece =>
                {
                    if (piece.IsLast)
                    {
                        progress.Report((++done, n));
                    }
                }, cancel);
            });
            var table = ResultTables.Create(">rank", ">candidate", ">reward", ">tokens", "finish", "answer");
            foreach (var ranked in result.Ranked)
            {
                table.AddPlainRow([
                    ranked.Rank.ToString(CultureInfo.InvariantCulture),
                    ranked.Candidate.Candidate.ToString(CultureInfo.InvariantCulture),
                    ResultTables.Number(ranked.Score.Reward),
                    ranked.Candidate.TokenIds.Length.ToString(CultureInfo.InvariantCulture),
                    ranked.Candidate.FinishReason.ToString(),
                    ranked.Candidate.Text.ReplaceLineEndings(" "),
                ]);
            }

            ResultTables.Write(table);
            Console.WriteLine();
            Console.WriteLine(result.Best.Candidate.Text);
            Console.Error.WriteLine($"{n} candidates, {result.Generation.GeneratedTokens} tokens in {result.Generation.ModelCalls} model calls, {result.Generation.DecodeTokensPerSecond:F1} tokens/s; scored by {scorer!.Description}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static GenArmGuide? CreateGuide(FileInfo[] arms, float[] alphas, float beta)
    {
        if (arms.Length == 0)
        {
            return alphas.Length == 0 ? null : throw new UsageException("--alpha needs --arm");
        }

        if (alphas.Length != 0 && alphas.Length != arms.Length)
        {
            throw new UsageException($"give one --alpha per --arm ({arms.Length} heads, {alphas.Length} weights)");
        }

        return new GenArmGuide([.. arms.Select((file, i) => new WeightedArm(AutoregressiveRewardModel.Load(file.FullName), alphas.Length == 0 ? 1f : alphas[i]))], beta);
    }
}
