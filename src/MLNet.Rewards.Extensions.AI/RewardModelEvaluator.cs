using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Extensions.AI;

/// <summary>
/// A reward model as an <see cref="IEvaluator"/> for Microsoft.Extensions.AI.Evaluation: one <see cref="NumericMetric"/>
/// named <see cref="RewardMetricName"/> per response, holding the model's reward; where the model explains its reward
/// (a multi-objective model's objectives and gate weights, an ensemble's members) every named part is an informational
/// diagnostic. With <see cref="RewardEvaluatorOptions.PassingReward"/> set, the metric is interpreted as passed or failed.
/// No LLM is called: <c>chatConfiguration</c> is not needed.
/// </summary>
public sealed class RewardModelEvaluator : IEvaluator
{
    /// <summary>The name of the metric this evaluator produces.</summary>
    public const string RewardMetricName = "Reward";

    private readonly IRewardScorer _scorer;
    private readonly RewardEvaluatorOptions _options;

    /// <summary>Evaluates responses with <paramref name="scorer"/>.</summary>
    public RewardModelEvaluator(IRewardScorer scorer, RewardEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        _options = options ?? new RewardEvaluatorOptions();
        ArgumentNullException.ThrowIfNull(_options.PromptOf);
        if (_options.PassingReward is float passing && !float.IsFinite(passing))
        {
            throw new ArgumentOutOfRangeException(nameof(options), passing, "the passing reward must be a finite number");
        }

        _scorer = scorer;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> EvaluationMetricNames { get; } = [RewardMetricName];

    /// <inheritdoc />
    public ValueTask<EvaluationResult> EvaluateAsync(IEnumerable<ChatMessage> messages, ChatResponse modelResponse, ChatConfiguration? chatConfiguration = null, IEnumerable<EvaluationContext>? additionalContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(modelResponse);
        cancellationToken.ThrowIfCancellationRequested();
        string prompt = _options.PromptOf([.. messages]);
        var score = _scorer.Score([prompt], [modelResponse.Text])[0];
        var metric = new NumericMetric(RewardMetricName, score.Reward, $"reward of {_scorer.Description}");
        if (score.Explanation is { } parts)
        {
            metric.AddDiagnostics([.. parts.Select(p => EvaluationDiagnostic.Informational(string.Create(CultureInfo.InvariantCulture, $"{p.Key} = {p.Value:G6}")))]);
        }

        if (!float.IsFinite(score.Reward))
        {
            metric.AddDiagnostics(EvaluationDiagnostic.Error($"the reward model returned {score.Reward}"));
            metric.Interpretation = new EvaluationMetricInterpretation(EvaluationRating.Inconclusive, failed: true, "the reward is not a finite number");
        }
        else if (_options.PassingReward is float passing)
        {
            bool failed = score.Reward < passing;
            metric.Interpretation = new EvaluationMetricInterpretation(
                failed ? EvaluationRating.Unacceptable : EvaluationRating.Good,
                failed,
                string.Create(CultureInfo.InvariantCulture, $"reward {score.Reward:G6} {(failed ? "below" : "at or above")} the passing reward {passing:G6}"));
        }

        return ValueTask.FromResult(new EvaluationResult(metric));
    }
}

/// <summary>Options of <see cref="RewardModelEvaluator"/>.</summary>
public sealed record RewardEvaluatorOptions
{
    /// <summary>The reward at or above which a response passes, or null to report the reward without a verdict.</summary>
    public float? PassingReward { get; init; }

    /// <summary>Turns the conversation into the prompt text the response is scored against. Default <see cref="ConversationPrompt.LastUserMessage"/>.</summary>
    public Func<IReadOnlyList<ChatMessage>, string> PromptOf { get; init; } = ConversationPrompt.LastUserMessage;
}
