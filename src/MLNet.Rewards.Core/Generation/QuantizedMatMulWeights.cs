using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Dequantises the weight of an ONNX Runtime <c>MatMulNBits</c> node (4-bit, asymmetric, blocked along K) into a float
/// matrix W[N, K], so that the node computes y = x · Wᵀ. The packed layout: B uint8 [N, K/block, block/2] with two 4-bit
/// values a byte (low nibble first), scales float [N, K/block], zero points uint8 [N, ceil((K/block)/2)] packed the same
/// way (8 when absent); W[n, k] = (q − zero_point) · scale of k's block.
/// </summary>
internal static class QuantizedMatMulWeights
{
    /// <summary>The node of SmolLM2's output projection (tied to the embedding table) in the model folder's ONNX file.</summary>
    public const string SmolLmOutputProjectionNode = "/lm_head/MatMul_Q4";

    /// <summary>W[N, K] of the <c>MatMulNBits</c> node <paramref name="nodeName"/>.</summary>
    /// <exception cref="ModelFormatException">The node is missing, is not a 4-bit MatMulNBits, or its initializers do not fit.</exception>
    public static FloatMatrix Dequantize(OnnxModelFile model, string nodeName)
    {
        ArgumentNullException.ThrowIfNull(model);
        var node = model.Node(nodeName);
        if (node.OperatorType != "MatMulNBits" || node.Inputs.Count < 3)
        {
            throw new ModelFormatException(model.Path, $"node '{nodeName}' is a {node.OperatorType} with {node.Inputs.Count} inputs, expected MatMulNBits (A, B, scales[, zero_points])");
        }

        int k = checked((int)node.Attribute("K", -1)), n = checked((int)node.Attribute("N", -1));
        int bits = (int)node.Attribute("bits", 4), block = (int)node.Attribute("block_size", -1);
        if (bits != 4 || k <= 0 || n <= 0 || block <= 0 || block % 2 != 0)
        {
            throw new ModelFormatException(model.Path, $"node '{nodeName}' has K={k}, N={n}, bits={bits}, block_size={block}; expected 4 bits and positive sizes");
        }

        int blocks = (k + block - 1) / block;
        byte[] packed = Read(model, node.Inputs[1], OnnxElementType.UInt8, (long)n * blocks * (block / 2));
        float[] scales = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Read(model, node.Inputs[2], OnnxElementType.Float, (long)n * blocks * sizeof(float))).ToArray();
        int zeroBytesPerRow = (blocks + 1) / 2;
        byte[]? zeros = node.Inputs.Count > 3 && node.Inputs[3].Length > 0
            ? Read(model, node.Inputs[3], OnnxElementType.UInt8, (long)n * zeroBytesPerRow)
            : null;

        var weights = new FloatMatrix(n, k);
        for (int row = 0; row < n; row++)
        {
            var destination = weights.Row(row);
            for (int b = 0; b < blocks; b++)
            {
                float scale = scales[(row * blocks) + b];
                int zero = zeros is null ? 8 : Nibble(zeros[(row * zeroBytesPerRow) + (b / 2)], b);
                int packedStart = ((row * blocks) + b) * (block / 2);
                int count = Math.Min(block, k - (b * block));
                for (int i = 0; i < count; i++)
                {
                    int q = Nibble(packed[packedStart + (i / 2)], i);
                    destination[(b * block) + i] = (q - zero) * scale;
                }
            }
        }

        return weights;
    }

    private static int Nibble(byte value, int index) => (index & 1) == 0 ? value & 0x0F : value >> 4;

    private static byte[] Read(OnnxModelFile model, string name, OnnxElementType type, long expectedBytes)
    {
        if (!model.Initializers.TryGetValue(name, out var tensor))
        {
            throw new ModelFormatException(model.Path, $"the graph has no initializer '{name}'");
        }

        if (tensor.DataType != type || tensor.RawDataLength != expectedBytes)
        {
            throw new ModelFormatException(model.Path, $"initializer '{name}' is {tensor.DataType} with {tensor.RawDataLength} bytes; expected {type} with {expectedBytes} bytes");
        }

        return model.ReadRawData(name);
    }
}
