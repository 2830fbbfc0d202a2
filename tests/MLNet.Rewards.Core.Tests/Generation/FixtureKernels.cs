using System.Runtime.Intrinsics.X86;

namespace MLNet.Rewards.Tests.Generation;

/// <summary>
/// Whether ONNX Runtime runs SmolLM2's 4-bit MatMulNBits (int8 activations) with kernels that reproduce the fixture.
/// ONNX Runtime picks those kernels by instruction set: the fixture was reproduced id for id on the project's earlier
/// AVX-512 machines, while on an AVX2 CPU without AVX-512 (an AMD EPYC) its AVX2 kernels move the fixture's top-5
/// logits by up to 0.85 and make a row's logits depend on the batch size by up to 1.25 (measured over the four fixture
/// generations). There, tokens the reference chose by a near tie flip, so tests compare logits within those bounds
/// instead of ids.
/// </summary>
internal static class FixtureKernels
{
    public static bool RunHere => Avx512F.IsSupported;

    /// <summary>The largest difference of a top-5 logit from the fixture's that a test accepts.</summary>
    public static float LogitTolerance => RunHere ? 1e-2f : 1f;

    /// <summary>The largest difference of a row's logits between two batch sizes (or cached and full runs) that a test accepts.</summary>
    public static float BatchTolerance => RunHere ? 1.5f : 2f;

    /// <summary>
    /// How far below the best logit another token may be for a choice of it to count as a near tie: the margin the
    /// generation-speed experiment accepts (ReferenceGeneration.NearTieMargin in MLNet.Rewards.Experiments).
    /// </summary>
    public const float NearTieMargin = 0.5f;
}
