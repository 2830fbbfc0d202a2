using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.Generation;

/// <summary>
/// A chat model's log-likelihood (natural log, summed over the response's tokens and its end-of-turn token) of one
/// response, after its prompt and after an empty user turn.
/// </summary>
/// <param name="GivenPrompt">log p(response | prompt).</param>
/// <param name="WithoutPrompt">log p(response | an empty user turn).</param>
/// <param name="Tokens">How many response tokens were scored (after the cut to the response limit).</param>
internal readonly record struct ResponseLogLikelihood(double GivenPrompt, double WithoutPrompt, int Tokens)
{
    /// <summary>
    /// log p(y | x) − log p(y): how much more likely the prompt makes the response. A response that answers another
    /// instruction, however fluent, gains little from this one.
    /// </summary>
    public double PointwiseMutualInformation => GivenPrompt - WithoutPrompt;

    /// <summary><see cref="PointwiseMutualInformation"/> per scored token, which does not grow with the response's length.</summary>
    public double PointwiseMutualInformationPerToken => PointwiseMutualInformation / Tokens;

    /// <summary><see cref="GivenPrompt"/> per scored token.</summary>
    public double GivenPromptPerToken => GivenPrompt / Tokens;

    /// <summary>The reward <paramref name="kind"/> reads off these log-likelihoods.</summary>
    public double Reward(Models.LikelihoodReward kind) => kind switch
    {
        Models.LikelihoodReward.PointwiseMutualInformation => PointwiseMutualInformation,
        Models.LikelihoodReward.LogLikelihoodPerToken => GivenPromptPerToken,
        _ => PointwiseMutualInformationPerToken,
    };
}

/// <summary>
/// Teacher-forced log-likelihoods of responses under a chat model (<see cref="ResponseLogLikelihood"/>): the prompt is
/// rendered with the chat template (HH transcripts as turns) and cut to <c>maxPromptTokens</c> as guided decoding cuts
/// it (earliest turns first), and the response is scored over its first <c>maxResponseTokens</c> tokens.
/// </summary>
internal sealed class ResponseLikelihood
{
    private readonly CausalLanguageModel _model;
    private readonly int _maxPromptTokens;
    private readonly int _maxResponseTokens;
    private readonly int[] _emptyTurn;
    private readonly Lazy<string> _identity;

    /// <summary>Creates a scorer over <paramref name="model"/>, which must have been loaded with its logits.</summary>
    public ResponseLikelihood(CausalLanguageModel model, int maxPromptTokens, int maxResponseTokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        OptionValidation.Require(maxPromptTokens >= 16, nameof(maxPromptTokens), maxPromptTokens, "must be at least 16 (the chat template itself takes about a dozen)");
        OptionValidation.Require(maxResponseTokens >= 1, nameof(maxResponseTokens), maxResponseTokens, "must be positive");
        if (model.HiddenStatesOnly)
        {
            throw new ArgumentException("the model was loaded for hidden states only and has no logits: load it with CausalLanguageModel.Load", nameof(model));
        }

        _model = model;
        _maxPromptTokens = maxPromptTokens;
        _maxResponseTokens = maxResponseTokens;
        _emptyTurn = model.EncodeChat([ChatMessage.User(string.Empty)]);
        _identity = new(() => $"response-likelihood;sha256={Featurization.ModelFileHash.Sha256Of(model.Folder.Model)};maxPrompt={maxPromptTokens};maxResponse={maxResponseTokens}");
    }

    /// <summary>What determines the values (the model file's SHA-256, hashed at first use, and the limits), for keying them in a store.</summary>
    public string Identity => _identity.Value;

    /// <summary>The log-likelihoods of <paramref name="response"/> with and without <paramref name="prompt"/>: two model runs.</summary>
    public ResponseLogLikelihood Measure(string prompt, string response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        var responseIds = _model.Tokenizer.EncodeOrdinary(response.Trim());
        int[] scored = [.. responseIds.AsSpan(0, Math.Min(responseIds.Length, _maxResponseTokens - 1)), _model.EndOfTurnTokenId];
        int[] context = DialoguePrompt.EncodeWithin(_model, DialoguePrompt.ToMessages(prompt), _maxPromptTokens);
        return new ResponseLogLikelihood(LogLikelihood(context, scored, cancellationToken), LogLikelihood(_emptyTurn, scored, cancellationToken), scored.Length);
    }

    private double LogLikelihood(int[] context, int[] response, CancellationToken cancellationToken)
    {
        var (_, logits) = _model.Forward([.. context, .. response], cancellationToken);
        var scratch = new float[logits.Columns];
        double sum = 0;
        for (int t = 0; t < response.Length; t++)
        {
            // The logits at the position before token t predict it: log softmax(row)[token] = row[token] − max − log Σ exp(row − max).
            var row = logits.Row(context.Length + t - 1);
            var (max, total) = Softmax.Normalizer(row, scratch);
            sum += row[response[t]] - max - Math.Log(total);
        }

        return sum;
    }
}
