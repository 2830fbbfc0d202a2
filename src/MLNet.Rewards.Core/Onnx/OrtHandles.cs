using System.Runtime.InteropServices;

namespace MLNet.Rewards.Onnx;

/// <summary>An owned ONNX Runtime object, released exactly once by its C API release function.</summary>
internal abstract class OrtHandle : SafeHandle
{
    protected OrtHandle(IntPtr handle)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;
}

internal sealed class OrtEnvHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseEnv(handle);
        return true;
    }
}

internal sealed class OrtSessionOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSessionOptions(handle);
        return true;
    }
}

internal sealed class OrtSessionHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseSession(handle);
        return true;
    }
}

internal sealed class OrtMemoryInfoHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseMemoryInfo(handle);
        return true;
    }
}

internal sealed class OrtValueHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseValue(handle);
        return true;
    }
}

internal sealed class OrtRunOptionsHandle(IntPtr handle) : OrtHandle(handle)
{
    protected override bool ReleaseHandle()
    {
        OrtApi.ReleaseRunOptions(handle);
        return true;
    }
}

/// <summary>
/// The process-wide ONNX Runtime objects: one environment (ONNX Runtime expects one per process) and the CPU memory
/// description used for tensors over managed buffers. Both live until the process ends.
/// </summary>
internal static class OrtProcess
{
    private static readonly Lazy<OrtEnvHandle> LazyEnvironment = new(() => new OrtEnvHandle(OrtApi.CreateEnv(logSeverity: 3, "mlnet-rewards")));
    private static readonly Lazy<OrtMemoryInfoHandle> LazyCpuMemory = new(() => new OrtMemoryInfoHandle(OrtApi.CreateCpuMemoryInfo()));

    public static OrtEnvHandle Environment => LazyEnvironment.Value;

    public static OrtMemoryInfoHandle CpuMemory => LazyCpuMemory.Value;
}
