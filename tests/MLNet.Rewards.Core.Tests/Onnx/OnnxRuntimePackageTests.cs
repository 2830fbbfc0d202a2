using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Onnx;

[TestClass]
public sealed class OnnxRuntimePackageTests
{
    [TestMethod]
    public void The_native_library_is_the_packages_version()
    {
        Assert.AreEqual("1.31.1", OnnxSession.RuntimeVersion);
    }

    [TestMethod]
    public void Choosing_cuda_without_the_cuda_build_is_a_clear_error_naming_the_gpu_package()
    {
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => OnnxSession.FromBytes(TinyOnnxModels.Add(), new OnnxSessionOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        Assert.AreEqual(OnnxErrorCode.ExecutionProviderFail, e.ErrorCode);
        StringAssert.Contains(e.Message, "(bytes): the CUDA execution provider is not available");
        StringAssert.Contains(e.Message, "Microsoft.ML.OnnxRuntime.Gpu 1.31.0");
    }

    [TestMethod]
    public void Spinning_can_be_turned_off_and_results_stay_the_same()
    {
        using var quiet = OnnxSession.FromBytes(TinyOnnxModels.Add(), new OnnxSessionOptions { AllowSpinning = false, IntraOpThreads = 2 });
        using var x = OnnxValue.CreateTensor<float>(new float[] { 1, 2 }, [2]);
        using var outputs = quiet.Run([new("x", x), new("y", x)], ["z"]);
        CollectionAssert.AreEqual(new float[] { 2, 4 }, outputs["z"].ToArray<float>());
    }

    [TestMethod]
    public void A_model_file_that_is_not_onnx_is_named_in_the_error()
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
