using System.Diagnostics;
using System.Numerics.Tensors;
using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// Embeds conversations with a chat LLM's final hidden states (<see cref="ChatHiddenStateFeaturizerSpec"/>): each text is a
/// <see cref="ConversationText"/> (a prompt and a response, or a prompt alone) rendered with the model's chat template
/// (HH transcripts become turns, see <see cref="DialoguePrompt"/>), cut to the spec's token limit by its long-input
/// policy, then run once (prefill, no decoding) in batches of similar length, right-padded; the states are pooled over
/// the real tokens. A conversation with a response ends at the response's end-of-turn token; a prompt alone ends with
/// the template's opening of the assistant turn.
/// </summary>
public sealed class ChatHiddenStateEmbedder : IParallelTextEmbedder, IDisposable
{
    private readonly ChatHiddenStateFeaturizerSpec _spec;
    private long _texts;
    private long _tokens;
    private long _truncated;
    private long _runTicks;

    /// <summary>Loads the chat model of <paramref name="spec"/> (without checking the file's hash; see <see cref="FeaturizerSpec.CreateEmbedder"/>).</summary>
    public ChatHiddenStateEmbedder(ChatHiddenStateFeaturizerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _spec = spec;
        Model = CausalLanguageModel.LoadForHiddenStates(spec.ModelDirectory, new CausalLanguageModelOptions { Threads = spec.Threads, ExecutionProvider = spec.ExecutionProvider });
        if (Model.Shape.HiddenSize != spec.HiddenSize)
        {
            Model.Dispose();
            throw new InvalidDataException($"{spec.ModelPath} has hidden states of {Model.Shape.HiddenSize}, but the featurizer was built for {spec.HiddenSize}");
        }
    }

    /// <inheritdoc />
    public int Dimension => _spec.Dimension;

    /// <inheritdoc />
    public FeaturizerSpec Spec => _spec;

    /// <summary>The chat model, loaded for hidden states only (<see cref="CausalLanguageModel.HiddenStatesOnly"/>): it cannot generate.</summary>
    public CausalLanguageModel Model { get; }

    /// <summary>What this embedder has done so far: texts, tokens run, texts truncated, time inside the model.</summary>
    public ChatEmbeddingStatistics Statistics => new(
        Interlocked.Read(ref _texts),
        Interlocked.Read(ref _tokens),
        Interlocked.Read(ref _truncated),
        TimeSpan.FromTicks(Interlocked.Read(ref _runTicks)));

    /// <inheritdoc />
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        int dim = Dimension;
        if (destination.Length < texts.Count * dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {texts.Count} texts x {dim} need {texts.Count * dim}", nameof(destination));
        }

        var ids = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
        {
            ids[i] = Encode(texts[i]);
        }

        int width = Model.Shape.HiddenSize;
        float[] states = [];
        foreach (var batch in PlanBatches(ids, _spec.BatchTokens))
        {
            var rows = batch.Rows.Select(r => ids[r]).ToArray();
            int needed = rows.Length * batch.Length * width;
            if (states.Length < needed)
            {
                states = new float[needed];
            }

            long start = Stopwatch.GetTimestamp();
            Model.PrefillHiddenStates(rows, states);
            Interlocked.Add(ref _runTicks, Stopwatch.GetElapsedTime(start).Ticks);
            for (int r = 0; r < rows.Length; r++)
            {
                Pool(states.AsSpan(r * batch.Length * width, rows[r].Length * width), destination.Slice(batch.Rows[r] * dim, dim));
                Interlocked.Add(ref _tokens, rows[r].Length);
            }
        }

        Interlocked.Add(ref _texts, texts.Count);
    }

    /// <summary>Token ids of the rendered conversation, before any cut for length.</summary>
    public int[] EncodeFull(string text)
    {
        var (prompt, response) = ConversationText.Parse(text);
        var messages = DialoguePrompt.ToMessages(prompt);
        if (response is null)
        {
            return Model.Template.Encode(Model.Tokenizer, messages, addGenerationPrompt: true);
        }

        messages.Add(ChatMessage.Assistant(response));
        var ids = Model.Template.Encode(Model.Tokenizer, messages, addGenerationPrompt: false);
        // The template closes the turn with <|im_end|> and a newline: end on the end-of-turn token itself.
        int end = Array.LastIndexOf(ids, Model.EndOfTurnTokenId);
        return end >= 0 && end < ids.Length - 1 ? ids[..(end + 1)] : ids;
    }

    /// <summary>The ids the model runs on: <see cref="EncodeFull"/> cut to the spec's limit by its long-input policy.</summary>
    /// <exception cref="LongInputException">The text is too long and the policy is <see cref="LongInputPolicy.Drop"/>.</exception>
    public int[] Encode(string text)
    {
        var ids = EncodeFull(text);
        if (ids.Length <= _spec.MaxTokens)
        {
            return ids;
        }

        Interlocked.Increment(ref _truncated);
        return _spec.LongInputs switch
        {
            LongInputPolicy.TruncateLeft => ids[^_spec.MaxTokens..],
            LongInputPolicy.TruncateRight => ids[.._spec.MaxTokens],
            _ => throw new LongInputException(ids.Length, _spec.MaxTokens),
        };
    }

    /// <summary>Whether the conversation of <paramref name="response"/> to <paramref name="prompt"/> fits the token limit uncut.</summary>
    public bool Fits(string prompt, string response) => EncodeFull(ConversationText.Of(prompt, response)).Length <= _spec.MaxTokens;

    /// <summary>Groups sequences longest first into runs of at most <paramref name="batchTokens"/> padded tokens (a longer one runs alone).</summary>
    internal static IReadOnlyList<SentenceBatch> PlanBatches(IReadOnlyList<int[]> ids, int batchTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchTokens, 1);
        var order = Enumerable.Range(0, ids.Count).OrderByDescending(i => ids[i].Length).ThenBy(i => i).ToArray();
        var batches = new List<SentenceBatch>();
        for (int start = 0; start < order.Length;)
        {
            int length = ids[order[start]].Length;
            int rows = Math.Clamp(batchTokens / Math.Max(1, length), 1, order.Length - start);
            batches.Add(new SentenceBatch(order[start..(start + rows)], length));
            start += rows;
        }

        return batches;
    }

    private void Pool(ReadOnlySpan<float> states, Span<float> target)
    {
        int width = Model.Shape.HiddenSize;
        int tokens = states.Length / width;
        var last = states.Slice((tokens - 1) * width, width);
        switch (_spec.Pooling)
        {
            case ChatStatePooling.LastToken:
                last.CopyTo(target);
                break;
            case ChatStatePooling.Mean:
                MeanOf(states, tokens, target);
                break;
            default:
                last.CopyTo(target[..width]);
                MeanOf(states, tokens, target.Slice(width, width));
                break;
        }
    }

    private static void MeanOf(ReadOnlySpan<float> states, int tokens, Span<float> target)
    {
        int width = target.Length;
        states[..width].CopyTo(target);
        for (int t = 1; t < tokens; t++)
        {
            TensorPrimitives.Add(target, states.Slice(t * width, width), target);
        }

        TensorPrimitives.Divide(target, tokens, target);
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"chat-hidden-state({Path.GetFileName(Path.GetFullPath(_spec.ModelDirectory).TrimEnd('/'))}, {_spec.Pooling}, max {_spec.MaxTokens} tokens, {_spec.LongInputs}, {Dimension} dims)";
}

/// <summary>What a <see cref="ChatHiddenStateEmbedder"/> has done.</summary>
/// <param name="Texts">Conversations embedded.</param>
/// <param name="Tokens">Tokens run through the model (after cuts, without padding).</param>
/// <param name="Truncated">Conversations longer than the limit (cut, or refused under <see cref="LongInputPolicy.Drop"/>).</param>
/// <param name="ModelTime">Time spent inside the model runs.</param>
public sealed record ChatEmbeddingStatistics(long Texts, long Tokens, long Truncated, TimeSpan ModelTime)
{
    /// <summary>Tokens per second of model time.</summary>
    public double TokensPerSecond => Tokens / Math.Max(1e-9, ModelTime.TotalSeconds);
}

/// <summary>A conversation longer than the featurizer's limit under the <see cref="LongInputPolicy.Drop"/> policy.</summary>
public sealed class LongInputException : ArgumentException
{
    /// <summary>Creates the exception for a conversation of <paramref name="tokens"/> tokens over a limit of <paramref name="limit"/>.</summary>
    public LongInputException(int tokens, int limit)
        : base($"a conversation of {tokens} tokens exceeds the featurizer's limit of {limit} and the long-input policy is Drop: remove the pairs that do not fit first (ChatHiddenStateEmbedder.Fits), or choose TruncateLeft or TruncateRight")
    {
        Tokens = tokens;
        Limit = limit;
    }

    /// <summary>Tokens of the conversation.</summary>
    public int Tokens { get; }

    /// <summary>The featurizer's limit.</summary>
    public int Limit { get; }
}
