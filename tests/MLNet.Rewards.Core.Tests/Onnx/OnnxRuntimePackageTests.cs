using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Onnx;

[TestClass]
public sealed class OnnxRuntimePackageTests
{
    [TestMethod]
    public void TheNativeLibraryIsThePackagesVersion()
    {
        Assert.AreEqual("1.31.1", OnnxSession.RuntimeVersion);
    }

    [TestMethod]
    public void ChoosingCudaWithoutTheCudaBuildIsAClearErrorNamingTheGpuPackage()
    {
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxSession.FromBytes(TinyOnnxModels.Add(), new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        Assert.AreEqual(OnnxErrorCode.ExecutionProviderFail, e.ErrorCode);
        StringAssert.Contains(e.Message, "(bytes): the CUDA execution provider is not available");
        StringAssert.Contains(e.Message, "Microsoft.ML.OnnxRuntime.Gpu 1.31.0");
    }

    [TestMethod]
    public void SpinningCanBeTurnedOffAndResultsStayTheSame()
    {
        using var quiet = OnnxSession.FromBytes(TinyOnnxModels.Add(), new OnnxSessionOptions { AllowSpinning = false, IntraOpThreads = 2 });
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, 2 }, [2]);
        using var outputs = quiet.Run([new("x", x), new("y", x)], ["z"]);
        CollectionAssert.AreEqual(new float[] { 2, 4 }, outputs["z"].ToArray<float>());
    }

    [TestMethod]
    public void AModelFileThatIsNotOnnxIsNamedInTheError()
    {
        string path = TestData.TempPath(".onnx");
        File.WriteAllText(path, "not a model");
        try
        {
            var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxSession.FromFile(path));
            StringAssert.Contains(e.Message, path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
