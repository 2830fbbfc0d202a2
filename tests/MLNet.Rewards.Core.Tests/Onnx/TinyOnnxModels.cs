using System.Text;
using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Onnx;

/// <summary>
/// Minimal ONNX models written as protobuf bytes, so that binding tests run in microseconds without a model file:
/// a ModelProto (ir_version 8, opset 17) whose graph has one node over inputs with a dynamic dimension "n".
/// </summary>
internal static class TinyOnnxModels
{
    /// <summary>y = Identity(x), x and y of <paramref name="type"/> and shape [n].</summary>
    public static byte[] Identity(OnnxElementType type) => Model("Identity", type, ["x"], "y");

    /// <summary>z = Add(x, y), all float [n].</summary>
    public static byte[] Add() => Model("Add", OnnxElementType.Float, ["x", "y"], "z");

    private static byte[] Model(string op, OnnxElementType type, string[] inputs, string output)
    {
        var node = new Proto();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output).String(3, "node").String(4, op);
        var graph = new Proto().Message(1, node).String(2, "tiny");
        foreach (string input in inputs)
        {
            graph.Message(11, ValueInfo(input, type));
        }

        graph.Message(12, ValueInfo(output, type));
        var opset = new Proto().String(1, string.Empty).Varint(2, 17);
        return new Proto().Varint(1, 8).Message(8, opset).Message(7, graph).ToArray();
    }

    private static Proto ValueInfo(string name, OnnxElementType type)
    {
        var dim = new Proto().String(2, "n");
        var shape = new Proto().Message(1, dim);
        var tensor = new Proto().Varint(1, (ulong)type).Message(2, shape);
        return new Proto().String(1, name).Message(2, new Proto().Message(1, tensor));
    }

    /// <summary>A protobuf message writer: just the varint, string and sub-message fields these models need.</summary>
    private sealed class Proto
    {
        private readonly List<byte> _bytes = [];

        public Proto Varint(int field, ulong value)
        {
            WriteVarint((ulong)(field << 3));
            WriteVarint(value);
            return this;
        }

        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => [.. _bytes];

        private Proto Bytes(int field, byte[] value)
        {
            WriteVarint((ulong)((field << 3) | 2));
            WriteVarint((ulong)value.Length);
            _bytes.AddRange(value);
            return this;
        }

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.Add((byte)(value | 0x80));
                value >>= 7;
            }

            _bytes.Add((byte)value);
        }
    }
}
