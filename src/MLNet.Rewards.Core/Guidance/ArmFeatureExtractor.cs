using System.Numerics.Tensors;
using MLNet.Rewards.Data;
using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Guidance;

/// <summary>How ARM training features are cut from preference data.</summary>
public sealed record ArmFeatureOptions
{
    /// <summary>Base-model candidates kept per position: the tokens the reward head may re-weight.</summary>
    public int TopK { get; init; } = 32;

    /// <summary>Most prompt tokens (earliest turns are dropped first).</summary>
    public int MaxPromptTokens { get; init; } = 160;

    /// <summary>Most response tokens (the rest of a longer response is not used).</summary>
    public int MaxResponseTokens { get; init; } = 64;

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(TopK >= 1, nameof(TopK), TopK, "must be positive");
        OptionValidation.Require(MaxPromptTokens >= 16, nameof(MaxPromptTokens), MaxPromptTokens, "must be at least 16 (the chat template itself takes about a dozen)");
        OptionValidation.Require(MaxResponseTokens >= 1, nameof(MaxResponseTokens), MaxResponseTokens, "must be positive");
    }
}

/// <summary>
/// Runs the frozen base model once over each (prompt, response) and keeps what the reward head trains on
/// (<see cref="ArmTextFeatures"/>). A text met twice (the same pairs judged on two principles) is computed once.
/// </summary>
public sealed class ArmFeatureExtractor
{
    private readonly CausalLanguageModel _model;
    private readonly ArmFeatureOptions _options;
    private readonly Dictionary<(string Prompt, string Response), ArmTextFeatures> _cache = [];

    /// <summary>Creates an extractor over <paramref name="model"/>.</summary>
    public ArmFeatureExtractor(CausalLanguageModel model, ArmFeatureOptions? options = null)
    {
        _model = model;
        _options = options ?? new ArmFeatureOptions();
        _options.Validate();
    }

    /// <summary>The settings.</summary>
    public ArmFeatureOptions Options => _options;

    /// <summary>Identifies the base model file (name and size) that the features come from.</summary>
    public string ModelIdentity => $"{Path.GetFileName(Path.GetDirectoryName(_model.Folder.Model))}/{Path.GetFileName(_model.Folder.Model)} ({new FileInfo(_model.Folder.Model).Length} bytes)";

    /// <summary>Every text computed (or added) so far with its features.</summary>
    public IEnumerable<KeyValuePair<(string Prompt, string Response), ArmTextFeatures>> Computed => _cache;

    /// <summary>Adds features computed earlier (see <see cref="ArmFeatureStore"/>).</summary>
    public void Add(string prompt, string response, ArmTextFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.TopK != _options.TopK || features.HiddenSize != _model.Shape.HiddenSize)
        {
            throw new ArgumentException($"features with top-{features.TopK} and hidden size {features.HiddenSize} do not fit this extractor (top-{_options.TopK}, hidden size {_model.Shape.HiddenSize})", nameof(features));
        }

        _cache[(prompt, response)] = features;
    }

    /// <summary>Features of both responses of every pair.</summary>
    public List<ArmPairFeatures> Extract(IReadOnlyList<PreferencePair> pairs, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var features = new List<ArmPairFeatures>(pairs.Count);
        for (int i = 0; i < pairs.Count; i++)
        {
            features.Add(new ArmPairFeatures(Extract(pairs[i].Prompt, pairs[i].Chosen, cancellationToken), Extract(pairs[i].Prompt, pairs[i].Rejected, cancellationToken)));
            progress?.Report((i + 1, pairs.Count));
        }

        return features;
    }

    /// <summary>Features of one response to one prompt (a preference-data prompt; HH transcripts become chat turns).</summary>
    public ArmTextFeatures Extract(string prompt, string response, CancellationToken cancellationToken = default)
    {
        if (_cache.TryGetValue((prompt, response), out var cached))
        {
            return cached;
        }

        int[] promptIds = DialoguePrompt.EncodeWithin(_model, DialoguePrompt.ToMessages(prompt), _options.MaxPromptTokens);
        var responseIds = _model.Tokenizer.EncodeOrdinary(response.Trim()).ToList();
        responseIds.Add(_model.EndOfTurnTokenId);
        if (responseIds.Count > _options.MaxResponseTokens)
        {
            responseIds.RemoveRange(_options.MaxResponseTokens, responseIds.Count - _options.MaxResponseTokens);
        }

        int[] sequence = [.. promptIds, .. responseIds];
        var (hidden, logits) = _model.Forward(sequence, cancellationToken);
        int k = Math.Min(_options.TopK, logits.Columns);
        var features = new ArmTextFeatures(responseIds.Count, hidden.Columns, k);
        var scratch = new float[logits.Columns];
        for (int t = 0; t < responseIds.Count; t++)
        {
            int position = promptIds.Length + t - 1;
            var row = logits.Row(position);
            hidden.Row(position).CopyTo(features.Hidden.AsSpan(t * hidden.Columns));
            var ids = features.CandidateIds.AsSpan(t * k, k);
            var top = features.CandidateLogits.AsSpan(t * k, k);
            TokenSampler.TopIndices(row, k, ids, top);

            // log of the mass outside the top-K, summed exactly (not as total minus top-K, which cancels badly).
            float max = TensorPrimitives.Max(row);
            TensorPrimitives.Subtract(row, max, scratch);
            TensorPrimitives.Exp(scratch, scratch);
            foreach (int id in ids)
            {
                scratch[id] = 0f;
            }

            float rest = TensorPrimitives.Sum(scratch);
            features.LogRest[t] = rest > 0 ? max + MathF.Log(rest) : float.NegativeInfinity;
            int target = responseIds[t];
            features.Targets[t] = target;
            features.TargetLogits[t] = row[target];
            features.TargetSlots[t] = ids.IndexOf(target);
        }

        _cache[(prompt, response)] = features;
        return features;
    }
}
