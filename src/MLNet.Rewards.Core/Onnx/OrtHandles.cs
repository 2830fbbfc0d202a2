using System.Runtime.InteropServices;

namespace MLNet.Rewards.Onnx;

/// <summary>An owned ONNX Runtime object, released exactly once by its C API release function.</summary>
internal sealed class OrtHandle : SafeHandle
{
    private readonly Action<IntPtr> _release;

    public OrtHandle(IntPtr handle, Action<IntPtr> release)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        _release = release;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        _release(handle);
        return true;
    }
}

/// <summary>
/// The process-wide ONNX Runtime objects: one environment (ONNX Runtime expects one per process) and the CPU memory
/// description used for tensors over managed buffers. Both live until the process ends.
/// </summary>
internal static class OrtProcess
{
    private static readonly Lazy<OrtHandle> LazyEnvironment = new(() => new OrtHandle(OrtApi.CreateEnv(logSeverity: 3, "mlnet-rewards"), OrtApi.ReleaseEnv));
    private static readonly Lazy<OrtHandle> LazyCpuMemory = new(() => new OrtHandle(OrtApi.CreateCpuMemoryInfo(), OrtApi.ReleaseMemoryInfo));

    public static OrtHandle Environment => LazyEnvironment.Value;

    public static OrtHandle CpuMemory => LazyCpuMemory.Value;
}
