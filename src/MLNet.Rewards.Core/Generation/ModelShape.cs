using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>The sizes of a KV-cache decoder, read from (and checked against) its ONNX signature.</summary>
/// <param name="Layers">Transformer layers (pairs of past_key_values inputs).</param>
/// <param name="KeyValueHeads">Key/value heads per layer.</param>
/// <param name="HeadSize">Size of each head.</param>
/// <param name="HiddenSize">Width of hidden_states.</param>
/// <param name="VocabularySize">Width of logits (0 for a graph loaded without them).</param>
internal sealed record ModelShape(int Layers, int KeyValueHeads, int HeadSize, int HiddenSize, int VocabularySize)
{
    /// <summary>
    /// Checks that the session has the inputs input_ids, attention_mask, position_ids (int64) and
    /// past_key_values.{i}.key/value (float, [batch, heads, past, head size]) and the outputs logits, hidden_states and
    /// present.{i}.key/value, and reads the sizes.
    /// </summary>
    /// <param name="session">The loaded model.</param>
    /// <param name="path">The model file, for messages.</param>
    /// <param name="requireLogits">False for a session loaded without the logits output (the vocabulary size is then 0).</param>
    /// <exception cref="ModelFormatException">Anything is missing or of the wrong type; the message lists what was found.</exception>
    public static ModelShape FromSignature(OnnxSession session, string path, bool requireLogits = true)
    {
        var inputs = session.Inputs.ToDictionary(i => i.Name);
        var outputs = session.Outputs.ToDictionary(o => o.Name);
        ModelFormatException Wrong(string problem) => new(path, $"not a KV-cache decoder with hidden_states: {problem} (inputs: {string.Join(", ", session.Inputs.Take(6))}...; outputs: {string.Join(", ", session.Outputs.Take(4))}...)");

        foreach (string name in new[] { "input_ids", "attention_mask", "position_ids" })
        {
            if (!inputs.TryGetValue(name, out var info) || info.ElementType != OnnxElementType.Int64)
            {
                throw Wrong($"no int64 input '{name}'");
            }
        }

        int layers = 0;
        while (inputs.ContainsKey($"past_key_values.{layers}.key"))
        {
            layers++;
        }

        if (layers == 0)
        {
            throw Wrong("no past_key_values.0.key input");
        }

        var key = inputs["past_key_values.0.key"];
        if (key.ElementType != OnnxElementType.Float || key.Dimensions.Count != 4 || key.Dimensions[1] <= 0 || key.Dimensions[3] <= 0)
        {
            throw Wrong($"past_key_values.0.key is {key}, expected float [batch, heads, past, head size] with fixed heads and head size");
        }

        for (int layer = 0; layer < layers; layer++)
        {
            foreach (string name in new[] { $"past_key_values.{layer}.value", $"present.{layer}.key", $"present.{layer}.value" })
            {
                if (!inputs.ContainsKey(name) && !outputs.ContainsKey(name))
                {
                    throw Wrong($"'{name}' is missing");
                }
            }
        }

        long vocabulary = outputs.TryGetValue("logits", out var logits) && logits.Dimensions.Count == 3 ? logits.Dimensions[2] : 0;
        long hidden = outputs.TryGetValue("hidden_states", out var states) && states.Dimensions.Count == 3 ? states.Dimensions[2] : -1;
        if ((requireLogits && vocabulary <= 0) || hidden <= 0)
        {
            throw Wrong("outputs 'logits' [batch, seq, vocabulary] and 'hidden_states' [batch, seq, hidden] with fixed last dimensions are required");
        }

        return new ModelShape(layers, (int)key.Dimensions[1], (int)key.Dimensions[3], (int)hidden, (int)vocabulary);
    }
}
