using System.Text.Json;
using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>Settings of a <see cref="CausalLanguageModel"/>.</summary>
public sealed record CausalLanguageModelOptions
{
    /// <summary>Threads ONNX Runtime uses inside one operator (0 = one per physical core).</summary>
    public int Threads { get; init; }

    /// <summary>Most tokens (prompt and generated) a sequence may hold; 0 = the model's own limit from config.json.</summary>
    public int ContextLength { get; init; }

    /// <summary>Where ONNX Runtime runs the model (CPU by default; CUDA needs the Microsoft.ML.OnnxRuntime.Gpu package, see <see cref="Onnx.OnnxExecutionProvider.Cuda"/>).</summary>
    public Onnx.OnnxExecutionProvider ExecutionProvider { get; init; }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(Threads >= 0, nameof(Threads), Threads, "must be 0 (all cores) or a positive thread count");
        OptionValidation.Require(ContextLength >= 0, nameof(ContextLength), ContextLength, "must be 0 (the model's limit) or a positive token count");
    }
}

/// <summary>
/// A decoder-only chat model exported to ONNX with a KV cache and a <c>hidden_states</c> output (SmolLM2's model folder):
/// its tokenizer, chat template and one ONNX Runtime session. <see cref="Prefill"/> runs a prompt once and copies its
/// cache to every row of a batch; <see cref="Step"/> advances all rows by one token each, feeding the cache that the
/// previous run returned straight back (no copy). Every run yields the next-token logits and the final hidden state of
/// each row. A model serves one generation at a time per cache; the session itself is thread-safe.
/// </summary>
public sealed class CausalLanguageModel : IDisposable
{
    private const string HiddenStatesOutput = "hidden_states";
    private const string LogitsOutput = "logits";
    private readonly OnnxSession _session;
    private readonly string[] _outputNames;

    private CausalLanguageModel(ChatModelFolder folder, OnnxSession session, ModelShape shape, int contextLength)
    {
        Folder = folder;
        _session = session;
        Shape = shape;
        ContextLength = contextLength;
        Tokenizer = ByteLevelBpeTokenizer.Load(folder.TokenizerJson);
        Template = ChatTemplate.Load(folder.TokenizerConfigJson);
        EndOfTurnTokenId = Tokenizer.TokenId("<|im_end|>");
        var names = new List<string> { LogitsOutput, HiddenStatesOutput };
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            names.Add($"present.{layer}.key");
            names.Add($"present.{layer}.value");
        }

        _outputNames = [.. names];
    }

    /// <summary>The model folder.</summary>
    internal ChatModelFolder Folder { get; }

    /// <summary>Layers, KV heads, head size, hidden size and vocabulary size, read from the ONNX signature.</summary>
    internal ModelShape Shape { get; }

    /// <summary>Most tokens one sequence may hold.</summary>
    public int ContextLength { get; }

    /// <summary>
    /// Whether the model was loaded without its output projection (by <see cref="Featurization.ChatHiddenStateEmbedder"/>,
    /// whose prefill then runs faster): it computes hidden states only, and cannot generate.
    /// <see cref="Load(string, CausalLanguageModelOptions?)"/> gives a model that can.
    /// </summary>
    public bool HiddenStatesOnly => Shape.VocabularySize == 0;

    /// <summary>The model's tokenizer.</summary>
    internal ByteLevelBpeTokenizer Tokenizer { get; }

    /// <summary>The model's chat template.</summary>
    internal ChatTemplate Template { get; }

    /// <summary>The token that ends an assistant turn (<c>&lt;|im_end|&gt;</c>).</summary>
    public int EndOfTurnTokenId { get; }

    /// <summary>Opens a model folder and checks its files and the ONNX signature.</summary>
    /// <exception cref="ModelFormatException">A file is missing or the ONNX inputs and outputs are not those of a KV-cache decoder.</exception>
    public static CausalLanguageModel Load(string folder, CausalLanguageModelOptions? options = null) => Open(folder, options, hiddenStatesOnly: false);

    /// <summary>
    /// Opens a model folder for <see cref="PrefillHiddenStates"/> alone: the graph is loaded without its <c>logits</c>
    /// output and the output projection that computes it (<see cref="OnnxGraphPruning"/>), which ONNX Runtime would
    /// otherwise run at every position though nobody fetches it.
    /// </summary>
    internal static CausalLanguageModel LoadForHiddenStates(string folder, CausalLanguageModelOptions? options = null) => Open(folder, options, hiddenStatesOnly: true);

    private static CausalLanguageModel Open(string folder, CausalLanguageModelOptions? options, bool hiddenStatesOnly)
    {
        options ??= new CausalLanguageModelOptions();
        options.Validate();
        var files = ChatModelFolder.Open(folder);
        var sessionOptions = new OnnxSessionOptions { IntraOpThreads = options.Threads, MemoryPattern = false, ExecutionProvider = options.ExecutionProvider };
        var session = hiddenStatesOnly ? OnnxSession.FromFileWithoutOutputs(files.Model, [LogitsOutput], sessionOptions) : OnnxSession.FromFile(files.Model, sessionOptions);
        try
        {
            var shape = ModelShape.FromSignature(session, files.Model, requireLogits: !hiddenStatesOnly);
            int limit = files.MaxPositionEmbeddings();
            if (options.ContextLength > limit)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.ContextLength, $"ContextLength exceeds the model's limit of {limit} positions");
            }

            return new CausalLanguageModel(files, session, shape, options.ContextLength > 0 ? options.ContextLength : limit);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The prompt ids of a conversation, ready for the assistant's turn.</summary>
    public int[] EncodeChat(IReadOnlyList<ChatMessage> messages) => Template.Encode(Tokenizer, messages);

    /// <summary>
    /// Runs <paramref name="promptIds"/> once and returns a cache holding it for <paramref name="batch"/> rows, with the
    /// prompt's next-token logits and last hidden state copied to every row.
    /// </summary>
    /// <exception cref="ArgumentException">The prompt is empty or does not fit the context.</exception>
    internal DecoderState Prefill(ReadOnlySpan<int> promptIds, int batch, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        if (promptIds.IsEmpty)
        {
            throw new ArgumentException("the prompt has no tokens", nameof(promptIds));
        }

        if (promptIds.Length >= ContextLength)
        {
            throw new ArgumentException($"the prompt has {promptIds.Length} tokens but the model's context holds {ContextLength} (prompt and generated tokens together): shorten the prompt", nameof(promptIds));
        }

        var single = new DecoderState(this, 1);
        try
        {
            var logits = new float[Shape.VocabularySize];
            var hidden = new float[Shape.HiddenSize];
            RunForward(single, promptIds, batch: 1, lastLogits: logits, lastHidden: hidden, allHidden: null, allLogits: null, cancellationToken);
            if (batch == 1)
            {
                single.SetLast(logits, hidden);
                return single;
            }

            var state = single.Tile(batch);
            for (int row = 0; row < batch; row++)
            {
                logits.CopyTo(state.Logits.Row(row));
                hidden.CopyTo(state.Hidden.Row(row));
            }

            single.Dispose();
            return state;
        }
        catch
        {
            single.Dispose();
            throw;
        }
    }

    /// <summary>Appends one token to every row of <paramref name="state"/> and updates its logits and hidden states.</summary>
    /// <exception cref="InvalidOperationException">The context is full.</exception>
    internal void Step(DecoderState state, ReadOnlySpan<int> nextTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (nextTokens.Length != state.Batch)
        {
            throw new ArgumentException($"{nextTokens.Length} tokens for a batch of {state.Batch}", nameof(nextTokens));
        }

        if (state.Length + 1 > ContextLength)
        {
            throw new InvalidOperationException($"the sequence has reached the model's context of {ContextLength} tokens");
        }

        RunForward(state, nextTokens, state.Batch, state.Logits.Data, state.Hidden.Data, allHidden: null, allLogits: null, cancellationToken);
    }

    /// <summary>
    /// Runs a whole sequence without a cache and returns the hidden state [length, hidden] and the logits
    /// [length, vocabulary] at every position: what the reward head is trained on, and the reference for cache checks.
    /// </summary>
    internal (FloatMatrix Hidden, FloatMatrix Logits) Forward(ReadOnlySpan<int> ids, CancellationToken cancellationToken = default)
    {
        if (ids.IsEmpty || ids.Length > ContextLength)
        {
            throw new ArgumentException($"a sequence of {ids.Length} tokens does not fit the model's context of 1..{ContextLength}", nameof(ids));
        }

        using var state = new DecoderState(this, 1);
        var hidden = new FloatMatrix(ids.Length, Shape.HiddenSize);
        var logits = new FloatMatrix(ids.Length, Shape.VocabularySize);
        RunForward(state, ids, 1, lastLogits: null, lastHidden: null, hidden.Data, logits.Data, cancellationToken);
        return (hidden, logits);
    }

    /// <summary>
    /// Prefill only, no cache kept: runs a batch of token sequences right-padded to the longest and writes the final hidden
    /// state of every position to <paramref name="hiddenStates"/>, laid out [row, position, hidden] with
    /// <paramref name="rows"/>.Count rows of the longest row's length. Positions past a row's end hold padding states (the
    /// causal mask keeps them out of every real position). Only <c>hidden_states</c> is requested from ONNX Runtime.
    /// </summary>
    /// <exception cref="ArgumentException">A row is empty or longer than the context, or the destination is too small.</exception>
    internal void PrefillHiddenStates(IReadOnlyList<int[]> rows, Span<float> hiddenStates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("no sequences to run", nameof(rows));
        }

        int length = 0;
        foreach (var row in rows)
        {
            if (row.Length == 0 || row.Length > ContextLength)
            {
                throw new ArgumentException($"a sequence of {row.Length} tokens does not fit the model's context of 1..{ContextLength}", nameof(rows));
            }

            length = Math.Max(length, row.Length);
        }

        int batch = rows.Count, width = Shape.HiddenSize;
        if (hiddenStates.Length < batch * length * width)
        {
            throw new ArgumentException($"the destination holds {hiddenStates.Length} floats; {batch} x {length} x {width} are needed", nameof(hiddenStates));
        }

        var ids = new long[batch * length];
        var mask = new long[batch * length];
        var positions = new long[batch * length];
        for (int r = 0; r < batch; r++)
        {
            for (int t = 0; t < length; t++)
            {
                int at = (r * length) + t;
                bool real = t < rows[r].Length;
                ids[at] = real ? rows[r][t] : EndOfTurnTokenId;
                mask[at] = real ? 1 : 0;
                positions[at] = t;
            }
        }

        using var empty = new DecoderState(this, batch);
        using var idsValue = OnnxValue.CreateTensor<long>(ids, [batch, length]);
        using var maskValue = OnnxValue.CreateTensor<long>(mask, [batch, length]);
        using var positionValue = OnnxValue.CreateTensor<long>(positions, [batch, length]);
        var inputs = Inputs(idsValue, maskValue, positionValue, empty);
        using var outputs = _session.Run(inputs, [HiddenStatesOutput], cancellationToken);
        outputs[0].AsSpan<float>()[..(batch * length * width)].CopyTo(hiddenStates);
    }

    private void RunForward(DecoderState state, ReadOnlySpan<int> tokens, int batch, float[]? lastLogits, float[]? lastHidden, float[]? allHidden, float[]? allLogits, CancellationToken cancellationToken)
    {
        if (HiddenStatesOnly)
        {
            throw new InvalidOperationException(
                $"{Folder.Model} was loaded for hidden states only (without its output projection, as a featurizer loads it), so it has no logits " +
                "to generate from: load the folder with CausalLanguageModel.Load");
        }

        int sequence = tokens.Length / batch;
        int past = state.Length;
        var ids = new long[tokens.Length];
        var positions = new long[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            ids[i] = tokens[i];
            positions[i] = past + (i % sequence);
        }

        var mask = new long[batch * (past + sequence)];
        Array.Fill(mask, 1L);
        using var idsValue = OnnxValue.CreateTensor<long>(ids, [batch, sequence]);
        using var maskValue = OnnxValue.CreateTensor<long>(mask, [batch, past + sequence]);
        using var positionValue = OnnxValue.CreateTensor<long>(positions, [batch, sequence]);
        var inputs = Inputs(idsValue, maskValue, positionValue, state);
        using var outputs = _session.Run(inputs, _outputNames, cancellationToken);

        var logits = outputs[LogitsOutput].AsSpan<float>();
        var hidden = outputs[HiddenStatesOutput].AsSpan<float>();
        int vocabulary = Shape.VocabularySize, width = Shape.HiddenSize;
        if (lastLogits is not null && lastHidden is not null)
        {
            for (int row = 0; row < batch; row++)
            {
                int last = (row * sequence) + sequence - 1;
                logits.Slice(last * vocabulary, vocabulary).CopyTo(lastLogits.AsSpan(row * vocabulary));
                hidden.Slice(last * width, width).CopyTo(lastHidden.AsSpan(row * width));
            }
        }

        if (allLogits is not null && allHidden is not null)
        {
            logits.CopyTo(allLogits);
            hidden.CopyTo(allHidden);
        }

        state.Advance(outputs, sequence);
    }

    private List<NamedOnnxValue> Inputs(OnnxValue ids, OnnxValue mask, OnnxValue positions, DecoderState state)
    {
        var inputs = new List<NamedOnnxValue>(3 + (2 * Shape.Layers))
        {
            new("input_ids", ids),
            new("attention_mask", mask),
            new("position_ids", positions),
        };
        inputs.AddRange(state.PastInputs());
        return inputs;
    }

    /// <summary>Frees the ONNX Runtime session.</summary>
    public void Dispose() => _session.Dispose();
}
