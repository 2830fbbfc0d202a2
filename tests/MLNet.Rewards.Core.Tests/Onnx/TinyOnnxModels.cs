using Google.Protobuf;
using MLNet.Rewards.Onnx;
using Onnx;

namespace MLNet.Rewards.Tests.Onnx;

/// <summary>
/// Minimal ONNX models built from ONNX's protobuf messages (the OnnxSharp package), so that binding tests run in
/// microseconds without a model file: a ModelProto (ir_version 8, opset 17) over inputs with a dynamic dimension "n".
/// </summary>
internal static class TinyOnnxModels
{
    /// <summary>y = Identity(x), x and y of <paramref name="type"/> and shape [n].</summary>
    public static byte[] Identity(OnnxElementType type) => Model(type, ["x"], ["y"], Node("Identity", ["x"], "y")).ToByteArray();

    /// <summary>z = Add(x, y), all float [n].</summary>
    public static byte[] Add() => Model(OnnxElementType.Float, ["x", "y"], ["z"], Node("Add", ["x", "y"], "z")).ToByteArray();

    /// <summary>
    /// Three outputs over float x [n]: negated = Neg(x); magnitude = Abs(negated), which needs the Neg node too; and
    /// rectified = Relu(Sigmoid(x)), whose two nodes nothing else needs.
    /// </summary>
    public static ModelProto ThreeOutputs() => Model(
        OnnxElementType.Float,
        ["x"],
        ["negated", "magnitude", "rectified"],
        Node("Neg", ["x"], "negated"),
        Node("Abs", ["negated"], "magnitude"),
        Node("Sigmoid", ["x"], "squashed"),
        Node("Relu", ["squashed"], "rectified"));

    private static ModelProto Model(OnnxElementType type, string[] inputs, string[] outputs, params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Node.Add(nodes);
        graph.Input.Add(inputs.Select(i => ValueInfo(i, type)));
        graph.Output.Add(outputs.Select(o => ValueInfo(o, type)));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = 17 });
        return model;
    }

    private static NodeProto Node(string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{output}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto ValueInfo(string name, OnnxElementType type)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "n" });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
