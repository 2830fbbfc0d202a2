using MLNet.Rewards.Generation;

namespace MLNet.Rewards.Tests.Generation;

/// <summary>One SmolLM2 model per test run (loading takes a second or two), with 2 ONNX Runtime threads.</summary>
internal static class SmolLm
{
    private static readonly Lazy<CausalLanguageModel> Shared = new(() => CausalLanguageModel.Load(SmolLmFixture.Folder, new CausalLanguageModelOptions { Threads = 2 }));

    public static CausalLanguageModel Model => Shared.Value;
}
