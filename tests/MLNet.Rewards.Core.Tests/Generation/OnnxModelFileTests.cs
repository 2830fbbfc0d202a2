using MLNet.Rewards.Generation;
using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class OnnxModelFileTests
{
    private static string ModelPath => Path.Combine(SmolLmFixture.Folder, "model.onnx");

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void FindsTheOutputProjectionNodeAndItsQuantisedInitializers()
    {
        var model = OnnxModelFile.Read(ModelPath);
        var node = model.Node(QuantizedMatMulWeights.SmolLmOutputProjectionNode);
        Assert.AreEqual("MatMulNBits", node.OperatorType);
        Assert.AreEqual("com.microsoft", node.Domain);
        Assert.AreEqual(576, node.Attribute("K", 0));
        Assert.AreEqual(49152, node.Attribute("N", 0));
        Assert.AreEqual(32, node.Attribute("block_size", 0));
        var weights = model.Initializers[node.Inputs[1]];
        Assert.AreEqual(OnnxElementType.UInt8, weights.DataType);
        CollectionAssert.AreEqual(new long[] { 49152, 18, 16 }, weights.Dimensions.ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void DequantisedProjectionIsFiniteAndHasTheEmbeddingScale()
    {
        var w = QuantizedMatMulWeights.Dequantize(OnnxModelFile.Read(ModelPath), QuantizedMatMulWeights.SmolLmOutputProjectionNode);
        Assert.AreEqual(49152, w.Rows);
        Assert.AreEqual(576, w.Columns);
        Assert.IsTrue(w.Data.All(float.IsFinite));
        double meanSquare = w.Data.Average(v => (double)v * v);
        Assert.IsTrue(meanSquare > 1e-5 && meanSquare < 1, $"mean square {meanSquare}");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void BadFilesGiveClearErrors()
    {
        Assert.ThrowsExactly<ModelFormatException>(() => OnnxModelFile.Read("/nonexistent/model.onnx"));
        string notOnnx = TestData.WriteLines(["this is not a protobuf"], ".onnx");
        var error = Assert.ThrowsExactly<ModelFormatException>(() => OnnxModelFile.Read(notOnnx));
        StringAssert.Contains(error.Message, notOnnx);
        var model = OnnxModelFile.Read(ModelPath);
        StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => QuantizedMatMulWeights.Dequantize(model, "/no/such/node")).Message, "no node");
    }
}
