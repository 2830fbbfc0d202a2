using System.Diagnostics;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Generates candidate answers to a conversation with a <see cref="CausalLanguageModel"/>: the prompt is run once and
/// its cache shared by all candidates, which then advance together one token per model call; each candidate samples
/// from its own seeded generator, so candidate i is the same whether it is generated alone or with others. Text is
/// streamed as it is produced.
/// </summary>
public sealed class TextGenerator
{
    private readonly CausalLanguageModel _model;

    /// <summary>Creates a generator over <paramref name="model"/>.</summary>
    public TextGenerator(CausalLanguageModel model) => _model = model;

    /// <summary>The model.</summary>
    public CausalLanguageModel Model => _model;

    /// <summary>Generates <paramref name="count"/> answers to <paramref name="messages"/> (the assistant's next turn).</summary>
    public GenerationResult Generate(IReadOnlyList<ChatMessage> messages, int count, SamplingOptions options, INextTokenGuide? guide = null, Action<GeneratedPiece>? onText = null, CancellationToken cancellationToken = default) =>
        Generate(_model.EncodeChat(messages), count, options, guide, onText, cancellationToken);

    /// <summary>Generates <paramref name="count"/> continuations of <paramref name="promptIds"/>.</summary>
    public GenerationResult Generate(int[] promptIds, int count, SamplingOptions options, INextTokenGuide? guide = null, Action<GeneratedPiece>? onText = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var sampler = new TokenSampler(options);
        var stops = new HashSet<int>(options.StopTokenIds ?? [_model.EndOfTurnTokenId]);
        var clock = Stopwatch.StartNew();
        using var state = _model.Prefill(promptIds, count, cancellationToken);
        var prefillTime = clock.Elapsed;
        int modelCalls = 1;

        var random = new SeededRandom[count];
        var tokens = new List<int>[count];
        var texts = new IncrementalDetokenizer[count];
        var written = new System.Text.StringBuilder[count];
        var finish = new FinishReason?[count];
        for (int i = 0; i < count; i++)
        {
            random[i] = new SeededRandom(SeededRandom.Derive(options.Seed, i));
            tokens[i] = [];
            texts[i] = new IncrementalDetokenizer(_model.Tokenizer);
            written[i] = new System.Text.StringBuilder();
        }

        var next = new int[count];
        for (int step = 0; ; step++)
        {
            for (int i = 0; i < count; i++)
            {
                if (finish[i] is not null)
                {
                    next[i] = _model.EndOfTurnTokenId;
                    continue;
                }

                var scores = state.Logits.Row(i);
                guide?.Guide(state.Hidden.Row(i), scores);
                int token = sampler.Pick(scores, random[i]);
                next[i] = token;
                tokens[i].Add(token);
                if (stops.Contains(token))
                {
                    finish[i] = FinishReason.Stop;
                }
                else if (tokens[i].Count >= options.MaxNewTokens || state.Length + 1 >= _model.ContextLength)
                {
                    finish[i] = FinishReason.Length;
                }

                string piece = finish[i] == FinishReason.Stop ? texts[i].Flush() : texts[i].Push(token);
                if (finish[i] == FinishReason.Length)
                {
                    piece += texts[i].Flush();
                }

                written[i].Append(piece);
                if (piece.Length > 0 || finish[i] is not null)
                {
                    onText?.Invoke(new GeneratedPiece(i, token, piece, finish[i] is not null));
                }
            }

            if (finish.All(f => f is not null))
            {
                break;
            }

            _model.Step(state, next, cancellationToken);
            modelCalls++;
        }

        var candidates = Enumerable.Range(0, count)
            .Select(i => new GeneratedText(i, written[i].ToString(), [.. tokens[i]], finish[i]!.Value))
            .ToArray();
        return new GenerationResult(candidates, promptIds.Length, modelCalls, prefillTime, clock.Elapsed);
    }
}

/// <summary>Why a candidate stopped.</summary>
public enum FinishReason
{
    /// <summary>It produced a stop token (end of turn).</summary>
    Stop,

    /// <summary>It reached the token limit or the end of the context.</summary>
    Length,
}

/// <summary>A piece of streamed text.</summary>
/// <param name="Candidate">Which candidate it belongs to.</param>
/// <param name="TokenId">The token just chosen.</param>
/// <param name="Text">Text it completed (may be empty).</param>
/// <param name="IsLast">Whether the candidate has finished.</param>
public readonly record struct GeneratedPiece(int Candidate, int TokenId, string Text, bool IsLast);

/// <summary>One generated answer.</summary>
/// <param name="Candidate">Its index (which also fixes its random stream).</param>
/// <param name="Text">The decoded text, without the stop token.</param>
/// <param name="TokenIds">The generated ids, including the stop token when there was one.</param>
/// <param name="FinishReason">Why it stopped.</param>
public sealed record GeneratedText(int Candidate, string Text, int[] TokenIds, FinishReason FinishReason);

/// <summary>The candidates of one generation and what they cost.</summary>
/// <param name="Candidates">The answers, in candidate order.</param>
/// <param name="PromptTokens">Tokens in the prompt.</param>
/// <param name="ModelCalls">ONNX Runtime runs: one prefill plus one per decoding step.</param>
/// <param name="PrefillTime">Time to run the prompt.</param>
/// <param name="Elapsed">Total time.</param>
public sealed record GenerationResult(IReadOnlyList<GeneratedText> Candidates, int PromptTokens, int ModelCalls, TimeSpan PrefillTime, TimeSpan Elapsed)
{
    /// <summary>Tokens generated over all candidates.</summary>
    public int GeneratedTokens => Candidates.Sum(c => c.TokenIds.Length);

    /// <summary>Generated tokens per second of decoding (prefill excluded).</summary>
    public double DecodeTokensPerSecond => GeneratedTokens / Math.Max(1e-9, (Elapsed - PrefillTime).TotalSeconds);
}
