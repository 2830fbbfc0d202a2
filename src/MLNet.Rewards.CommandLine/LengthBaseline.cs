using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Cli;

/// <summary>
/// "The longer response wins": the baseline every real-data table is read against (AlpacaEval's judge prefers length,
/// so a head that only learned length scores as this does), and the demo's evaluation sets.
/// </summary>
internal static class LengthBaseline
{
    /// <summary>The baseline's column name in result tables.</summary>
    public const string Name = "longer wins";

    /// <summary>The shared pair files the demo (and the experiments that stand beside it) evaluate on.</summary>
    public static IReadOnlyList<string> DemoEvaluationSets { get; } = ["alpaca-eval-test", "hh-harmless-test", "llmbar", "llmbar-processed"];

    /// <summary>Each pair scored by the length of its responses in characters.</summary>
    public static EvaluationReport Evaluate(PairwiseEvaluator evaluator, IReadOnlyList<PreferencePair> pairs)
        => evaluator.Evaluate(pairs, [.. pairs.Select(p => (float)p.Chosen.Length)], [.. pairs.Select(p => (float)p.Rejected.Length)]);
}
