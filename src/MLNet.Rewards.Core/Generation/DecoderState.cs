using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Generation;

/// <summary>
/// The state of a batch of sequences being decoded by a <see cref="CausalLanguageModel"/>: the KV cache of every layer
/// (as ONNX Runtime values, handed from one run to the next without copying), the number of tokens each row holds, and
/// the next-token logits and final hidden state of every row after the last run. Dispose it to free the cache.
/// </summary>
internal sealed class DecoderState : IDisposable
{
    private readonly CausalLanguageModel _model;
    private readonly OnnxValue[] _keys;
    private readonly OnnxValue[] _values;

    internal DecoderState(CausalLanguageModel model, int batch)
    {
        _model = model;
        Batch = batch;
        var shape = model.Shape;
        _keys = new OnnxValue[shape.Layers];
        _values = new OnnxValue[shape.Layers];
        for (int layer = 0; layer < shape.Layers; layer++)
        {
            _keys[layer] = OnnxValue.Allocate<float>([batch, shape.KeyValueHeads, 0, shape.HeadSize]);
            _values[layer] = OnnxValue.Allocate<float>([batch, shape.KeyValueHeads, 0, shape.HeadSize]);
        }

        Logits = new FloatMatrix(batch, shape.VocabularySize);
        Hidden = new FloatMatrix(batch, shape.HiddenSize);
    }

    /// <summary>Number of rows.</summary>
    public int Batch { get; }

    /// <summary>Tokens held by each row (prompt and generated).</summary>
    public int Length { get; private set; }

    /// <summary>Next-token logits of every row after the last run, [batch, vocabulary].</summary>
    public FloatMatrix Logits { get; }

    /// <summary>Final hidden state (after the last norm) of every row's last token, [batch, hidden].</summary>
    public FloatMatrix Hidden { get; }

    internal IEnumerable<NamedOnnxValue> PastInputs()
    {
        for (int layer = 0; layer < _keys.Length; layer++)
        {
            yield return new NamedOnnxValue($"past_key_values.{layer}.key", _keys[layer]);
            yield return new NamedOnnxValue($"past_key_values.{layer}.value", _values[layer]);
        }
    }

    /// <summary>Takes the run's present.* outputs as the new cache and counts the tokens the run added.</summary>
    internal void Advance(OnnxValueCollection outputs, int addedTokens)
    {
        for (int layer = 0; layer < _keys.Length; layer++)
        {
            _keys[layer].Dispose();
            _keys[layer] = outputs.Take($"present.{layer}.key");
            _values[layer].Dispose();
            _values[layer] = outputs.Take($"present.{layer}.value");
        }

        Length += addedTokens;
    }

    internal void SetLast(ReadOnlySpan<float> logits, ReadOnlySpan<float> hidden)
    {
        logits.CopyTo(Logits.Data);
        hidden.CopyTo(Hidden.Data);
    }

    /// <summary>A new state with this single-row cache copied to <paramref name="batch"/> rows.</summary>
    internal DecoderState Tile(int batch)
    {
        if (Batch != 1)
        {
            throw new InvalidOperationException("only a single-row state can be tiled");
        }

        var tiled = new DecoderState(_model, batch);
        for (int layer = 0; layer < _keys.Length; layer++)
        {
            Replace(tiled._keys, layer, _keys[layer], batch);
            Replace(tiled._values, layer, _values[layer], batch);
        }

        tiled.Length = Length;
        return tiled;
    }

    private static void Replace(OnnxValue[] target, int layer, OnnxValue source, int batch)
    {
        var shape = source.Shape.ToArray();
        shape[0] = batch;
        var value = OnnxValue.Allocate<float>(shape);
        var from = source.AsSpan<float>();
        var to = value.AsMutableSpan<float>();
        for (int row = 0; row < batch; row++)
        {
            from.CopyTo(to.Slice(row * from.Length, from.Length));
        }

        target[layer].Dispose();
        target[layer] = value;
    }

    /// <summary>Frees the cache.</summary>
    public void Dispose()
    {
        foreach (var value in _keys.Concat(_values))
        {
            value.Dispose();
        }
    }
}
