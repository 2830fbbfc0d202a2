using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;
using Onnx;

namespace MLNet.Rewards.Tests.Onnx;

[TestClass]
public sealed class OnnxGraphPruningTests
{
    public TestContext TestContext { get; set; } = null!;

    private string Write(ModelProto model)
    {
        string path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{TestContext.TestName}-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        return path;
    }

    [TestMethod]
    public void RemovingAnOutputRemovesTheNodesOnlyItNeededAndTheRestStillRuns()
    {
        string path = Write(TinyOnnxModels.ThreeOutputs());
        var pruned = ModelProto.Parser.ParseFrom(OnnxGraphPruning.WithoutOutputs(path, ["rectified"]));
        CollectionAssert.AreEqual(new[] { "negated", "magnitude" }, pruned.Graph.Output.Select(o => o.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "Neg", "Abs" }, pruned.Graph.Node.Select(n => n.OpType).ToArray(), "Sigmoid and Relu fed only the removed output");

        using var session = OnnxSession.FromFileWithoutOutputs(path, ["rectified"]);
        CollectionAssert.AreEqual(new[] { "negated", "magnitude" }, session.Outputs.Select(o => o.Name).ToArray());
        StringAssert.Contains(session.Source, "without rectified");
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, -2 }, [2]);
        using var outputs = session.Run([new("x", x)], ["magnitude"]);
        CollectionAssert.AreEqual(new float[] { 1, 2 }, outputs["magnitude"].ToArray<float>());
    }

    [TestMethod]
    public void ANodeAnotherOutputStillReadsIsKept()
    {
        string path = Write(TinyOnnxModels.ThreeOutputs());
        var pruned = ModelProto.Parser.ParseFrom(OnnxGraphPruning.WithoutOutputs(path, ["negated"]));
        CollectionAssert.AreEqual(new[] { "magnitude", "rectified" }, pruned.Graph.Output.Select(o => o.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "Neg", "Abs", "Sigmoid", "Relu" }, pruned.Graph.Node.Select(n => n.OpType).ToArray(), "Abs still reads Neg's output");

        var both = ModelProto.Parser.ParseFrom(OnnxGraphPruning.WithoutOutputs(path, ["negated", "magnitude"]));
        CollectionAssert.AreEqual(new[] { "Sigmoid", "Relu" }, both.Graph.Node.Select(n => n.OpType).ToArray());
    }

    [TestMethod]
    public void AnOutputTheModelLacksOrAFileThatIsNotAModelIsAFormatErrorNamingTheFile()
    {
        string path = Write(TinyOnnxModels.ThreeOutputs());
        var missing = Assert.ThrowsExactly<ModelFormatException>(() => OnnxGraphPruning.WithoutOutputs(path, ["logits"]));
        StringAssert.Contains(missing.Message, "no output 'logits'");
        StringAssert.Contains(missing.Message, "negated, magnitude, rectified");
        Assert.AreEqual(path, missing.Path);

        string garbage = Path.ChangeExtension(path, ".txt");
        File.WriteAllText(garbage, "\u0001\u0002 not a model");
        var notModel = Assert.ThrowsExactly<ModelFormatException>(() => OnnxGraphPruning.WithoutOutputs(garbage, ["y"]));
        StringAssert.Contains(notModel.Message, "not an ONNX model");
    }
}
