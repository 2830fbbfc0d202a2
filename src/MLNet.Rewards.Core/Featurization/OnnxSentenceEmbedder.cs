using System.Numerics.Tensors;
using MLNet.Rewards.Onnx;
using MLNet.Rewards.Tokenization;

namespace MLNet.Rewards.Featurization;

/// <summary>
/// Sentence embeddings from a transformer encoder on ONNX Runtime (e.g. all-MiniLM-L6-v2): WordPiece tokenisation,
/// batches sorted by length and padded only to their longest text, one encoder run per batch (parallel inside ONNX
/// Runtime), then pooling over the attention mask and optional L2 normalisation, as sentence-transformers does.
/// The encoder steps are public so that a benchmark can time ONNX Runtime alone on the same batches.
/// </summary>
public sealed class OnnxSentenceEmbedder : IParallelTextEmbedder, IDisposable
{
    private const string IdsInput = "input_ids";
    private readonly OnnxSentenceFeaturizerSpec _spec;
    private readonly bool _hasMask;
    private readonly bool _hasTokenTypes;
    private readonly string _output;

    /// <summary>Loads the tokenizer and the ONNX model of <paramref name="spec"/> (without checking the file's hash; see <see cref="FeaturizerSpec.CreateEmbedder"/>).</summary>
    public OnnxSentenceEmbedder(OnnxSentenceFeaturizerSpec spec)
    {
        spec.Validate();
        _spec = spec;
        var tokenizer = WordPieceTokenizer.FromModelDirectory(spec.ModelDirectory);
        Tokenizer = new WordPieceTokenizer(tokenizer.Vocabulary, tokenizer.Options with { MaxLength = spec.MaxLength });
        Session = OnnxSession.FromFile(spec.ModelPath, new OnnxSessionOptions { IntraOpThreads = spec.Threads, ExecutionProvider = spec.ExecutionProvider });
        try
        {
            var inputs = Session.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
            if (!inputs.Contains(IdsInput))
            {
                throw new InvalidDataException($"{spec.ModelPath} has no '{IdsInput}' input (inputs: {string.Join(", ", inputs)}); it is not a BERT-style encoder");
            }

            _hasMask = inputs.Contains("attention_mask");
            _hasTokenTypes = inputs.Contains("token_type_ids");
            var output = Session.Outputs.FirstOrDefault(o => o.Name == "last_hidden_state") ?? Session.Outputs[0];
            if (output.ElementType != OnnxElementType.Float || output.Dimensions.Count != 3 || output.Dimensions[2] is > 0 and var d && d != spec.EmbeddingDimension)
            {
                throw new InvalidDataException($"{spec.ModelPath}: expected a float [batch, sequence, {spec.EmbeddingDimension}] output of token vectors, found {output}");
            }

            _output = output.Name;
        }
        catch
        {
            Session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public int Dimension => _spec.EmbeddingDimension;

    /// <inheritdoc />
    public FeaturizerSpec Spec => _spec;

    /// <summary>The tokenizer (its maximum length is the spec's).</summary>
    internal WordPieceTokenizer Tokenizer { get; }

    /// <summary>The encoder session.</summary>
    public OnnxSession Session { get; }

    /// <inheritdoc />
    public void Embed(IReadOnlyList<string> texts, Span<float> destination)
    {
        int dim = Dimension;
        if (destination.Length < texts.Count * dim)
        {
            throw new ArgumentException($"destination holds {destination.Length} floats; {texts.Count} texts x {dim} need {texts.Count * dim}", nameof(destination));
        }

        var ids = Tokenize(texts);
        foreach (var batch in PlanBatches(ids, _spec.BatchSize))
        {
            using var inputs = CreateInputs(ids, batch);
            using var outputs = RunEncoder(inputs);
            Pool(outputs[0], ids, batch, destination);
        }
    }

    /// <summary>Token ids of every text, in order.</summary>
    public int[][] Tokenize(IReadOnlyList<string> texts)
    {
        // Sequential on purpose: ONNX Runtime's intra-op threads hold the cores between runs, and handing tokenisation
        // to the thread pool made it slower, not faster (see docs/featurizer.md).
        var ids = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
        {
            ids[i] = Tokenizer.Encode(texts[i]);
        }

        return ids;
    }

    /// <summary>Groups texts into batches of at most <paramref name="batchSize"/>, longest first, so that padding is small.</summary>
    internal static IReadOnlyList<SentenceBatch> PlanBatches(IReadOnlyList<int[]> ids, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, ids.Count).OrderByDescending(i => ids[i].Length).ThenBy(i => i).ToArray();
        var batches = new List<SentenceBatch>((order.Length + batchSize - 1) / batchSize);
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var rows = order[start..Math.Min(order.Length, start + batchSize)];
            batches.Add(new SentenceBatch(rows, ids[rows[0]].Length));
        }

        return batches;
    }

    /// <summary>The padded input tensors of one batch (token ids, attention mask and token types as the model takes them).</summary>
    internal EncoderInputs CreateInputs(IReadOnlyList<int[]> ids, SentenceBatch batch)
    {
        int rows = batch.Rows.Length;
        int length = batch.Length;
        var tokenIds = new long[rows * length];
        var mask = new long[rows * length];
        tokenIds.AsSpan().Fill(Tokenizer.PaddingId);
        for (int r = 0; r < rows; r++)
        {
            var row = ids[batch.Rows[r]];
            for (int t = 0; t < row.Length; t++)
            {
                tokenIds[(r * length) + t] = row[t];
                mask[(r * length) + t] = 1;
            }
        }

        long[] shape = [rows, length];
        var values = new List<NamedOnnxValue> { new(IdsInput, OnnxValue.CreateTensor<long>(tokenIds, shape)) };
        if (_hasMask)
        {
            values.Add(new("attention_mask", OnnxValue.CreateTensor<long>(mask, shape)));
        }

        if (_hasTokenTypes)
        {
            values.Add(new("token_type_ids", OnnxValue.CreateTensor<long>(new long[rows * length], shape)));
        }

        return new EncoderInputs(values);
    }

    /// <summary>Runs the encoder on one batch; the single output is the token vectors [batch, sequence, dimension].</summary>
    internal OnnxValueCollection RunEncoder(EncoderInputs inputs) => Session.Run(inputs.Values, [_output]);

    /// <summary>Pools the token vectors of a batch into the rows of <paramref name="destination"/> that its texts belong to.</summary>
    private void Pool(OnnxValue tokenVectors, int[][] ids, SentenceBatch batch, Span<float> destination)
    {
        int dim = Dimension;
        int length = batch.Length;
        var hidden = tokenVectors.AsSpan<float>();
        for (int r = 0; r < batch.Rows.Length; r++)
        {
            int row = batch.Rows[r];
            int tokens = ids[row].Length;
            var target = destination.Slice(row * dim, dim);
            var first = hidden.Slice(r * length * dim, dim);
            first.CopyTo(target);
            if (_spec.Pooling != SentencePooling.Cls)
            {
                for (int t = 1; t < tokens; t++)
                {
                    var vector = hidden.Slice(((r * length) + t) * dim, dim);
                    if (_spec.Pooling == SentencePooling.Max)
                    {
                        TensorPrimitives.Max(target, vector, target);
                    }
                    else
                    {
                        TensorPrimitives.Add(target, vector, target);
                    }
                }

                if (_spec.Pooling == SentencePooling.Mean)
                {
                    TensorPrimitives.Divide(target, tokens, target);
                }
            }

            if (_spec.Normalize)
            {
                float norm = TensorPrimitives.Norm(target);
                TensorPrimitives.Divide(target, MathF.Max(norm, 1e-12f), target);
            }
        }
    }

    /// <summary>Frees the ONNX session.</summary>
    public void Dispose() => Session.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"onnx-sentence({Path.GetFileName(Path.GetFullPath(_spec.ModelDirectory).TrimEnd('/'))}/{_spec.ModelFile}, {_spec.Pooling} pooling{(_spec.Normalize ? ", normalised" : string.Empty)}, max {_spec.MaxLength} tokens, {Dimension} dims)";
}

/// <summary>One encoder batch: which texts (indices into the list being embedded), and the padded length (its longest text).</summary>
/// <param name="Rows">Indices of the texts in the batch.</param>
/// <param name="Length">Tokens per row after padding.</param>
internal sealed record SentenceBatch(int[] Rows, int Length);

/// <summary>The named input tensors of one encoder batch; disposing it releases them.</summary>
internal sealed class EncoderInputs : IDisposable
{
    internal EncoderInputs(IReadOnlyList<NamedOnnxValue> values) => Values = values;

    /// <summary>The inputs, by model input name.</summary>
    public IReadOnlyList<NamedOnnxValue> Values { get; }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        foreach (var value in Values)
        {
            value.Value.Dispose();
        }
    }
}
