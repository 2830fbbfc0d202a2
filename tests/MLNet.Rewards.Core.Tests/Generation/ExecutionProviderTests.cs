using MLNet.Rewards.Generation;
using MLNet.Rewards.Onnx;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class ExecutionProviderTests
{
    [TestMethod]
    public void Asking_for_cuda_on_a_cpu_only_build_names_the_model_and_the_gpu_package()
    {
        var e = Assert.ThrowsExactly<OnnxRuntimeException>(() => CausalLanguageModel.Load(SmolLmFixture.Folder, new CausalLanguageModelOptions { ExecutionProvider = OnnxExecutionProvider.Cuda }));
        StringAssert.Contains(e.Message, "model.onnx: the CUDA execution provider is not available");
        StringAssert.Contains(e.Message, "Microsoft.ML.OnnxRuntime.Gpu 1.31.0");
        Assert.AreEqual(OnnxErrorCode.ExecutionProviderFail, e.ErrorCode);
    }
}
