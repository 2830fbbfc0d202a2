using System.Runtime.InteropServices;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// The functions of ONNX Runtime's C API that this binding calls, read from the <c>OrtApi</c> function table by slot index.
/// The table is append-only, so the indices (the order of members in <c>struct OrtApi</c> of the public header
/// onnxruntime_c_api.h) hold for every version that offers <see cref="OnnxRuntimeLibrary.ApiVersion"/>.
/// Every function that returns an <c>OrtStatus*</c> goes through <see cref="Check"/>.
/// </summary>
internal static unsafe class OrtApi
{
    private const int GetErrorCodeSlot = 1;
    private const int GetErrorMessageSlot = 2;
    private const int CreateEnvSlot = 3;
    private const int CreateSessionSlot = 7;
    private const int CreateSessionFromArraySlot = 8;
    private const int RunSlot = 9;
    private const int CreateSessionOptionsSlot = 10;
    private const int SetSessionExecutionModeSlot = 13;
    private const int EnableMemPatternSlot = 16;
    private const int DisableMemPatternSlot = 17;
    private const int SetSessionLogSeverityLevelSlot = 22;
    private const int SetSessionGraphOptimizationLevelSlot = 23;
    private const int SetIntraOpNumThreadsSlot = 24;
    private const int SetInterOpNumThreadsSlot = 25;
    private const int SessionGetInputCountSlot = 30;
    private const int SessionGetOutputCountSlot = 31;
    private const int SessionGetInputTypeInfoSlot = 33;
    private const int SessionGetOutputTypeInfoSlot = 34;
    private const int SessionGetInputNameSlot = 36;
    private const int SessionGetOutputNameSlot = 37;
    private const int CreateRunOptionsSlot = 39;
    private const int RunOptionsSetTerminateSlot = 46;
    private const int CreateTensorAsOrtValueSlot = 48;
    private const int CreateTensorWithDataAsOrtValueSlot = 49;
    private const int IsTensorSlot = 50;
    private const int GetTensorMutableDataSlot = 51;
    private const int CastTypeInfoToTensorInfoSlot = 55;
    private const int GetTensorElementTypeSlot = 60;
    private const int GetDimensionsCountSlot = 61;
    private const int GetDimensionsSlot = 62;
    private const int GetSymbolicDimensionsSlot = 63;
    private const int GetTensorTypeAndShapeSlot = 65;
    private const int CreateCpuMemoryInfoSlot = 69;
    private const int AllocatorFreeSlot = 76;
    private const int GetAllocatorWithDefaultOptionsSlot = 78;
    private const int ReleaseEnvSlot = 92;
    private const int ReleaseStatusSlot = 93;
    private const int ReleaseMemoryInfoSlot = 94;
    private const int ReleaseSessionSlot = 95;
    private const int ReleaseValueSlot = 96;
    private const int ReleaseRunOptionsSlot = 97;
    private const int ReleaseTypeInfoSlot = 98;
    private const int ReleaseTensorTypeAndShapeInfoSlot = 99;
    private const int ReleaseSessionOptionsSlot = 100;

    private const int OrtDeviceAllocator = 0;
    private const int OrtMemTypeDefault = 0;

    private static IntPtr Slot(int index) => OnnxRuntimeLibrary.Api[index];

    /// <summary>Throws <see cref="OnnxRuntimeException"/> with ORT's code and message when <paramref name="status"/> is an error.</summary>
    public static void Check(IntPtr status)
    {
        if (status == IntPtr.Zero)
        {
            return;
        }

        var code = (OnnxErrorCode)((delegate* unmanaged[Cdecl]<IntPtr, int>)Slot(GetErrorCodeSlot))(status);
        string message = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Slot(GetErrorMessageSlot))(status)) ?? "(no message)";
        ((delegate* unmanaged[Cdecl]<IntPtr, void>)Slot(ReleaseStatusSlot))(status);
        throw new OnnxRuntimeException(code, message);
    }

    public static IntPtr CreateEnv(int logSeverity, string logId)
    {
        IntPtr env;
        IntPtr id = Marshal.StringToCoTaskMemUTF8(logId);
        try
        {
            Check(((delegate* unmanaged[Cdecl]<int, IntPtr, IntPtr*, IntPtr>)Slot(CreateEnvSlot))(logSeverity, id, &env));
        }
        finally
        {
            Marshal.FreeCoTaskMem(id);
        }

        return env;
    }

    public static IntPtr CreateSession(IntPtr env, string path, IntPtr options)
    {
        IntPtr session;
        IntPtr p = Marshal.StringToCoTaskMemUTF8(path);
        try
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, IntPtr*, IntPtr>)Slot(CreateSessionSlot))(env, p, options, &session));
        }
        finally
        {
            Marshal.FreeCoTaskMem(p);
        }

        return session;
    }

    public static IntPtr CreateSessionFromArray(IntPtr env, ReadOnlySpan<byte> model, IntPtr options)
    {
        IntPtr session;
        fixed (byte* data = model)
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr, IntPtr*, IntPtr>)Slot(CreateSessionFromArraySlot))(env, data, (nuint)model.Length, options, &session));
        }

        return session;
    }

    public static void Run(IntPtr session, IntPtr runOptions, IntPtr* inputNames, IntPtr* inputs, nuint inputCount, IntPtr* outputNames, nuint outputCount, IntPtr* outputs) =>
        Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr*, IntPtr*, nuint, IntPtr*, nuint, IntPtr*, IntPtr>)Slot(RunSlot))(session, runOptions, inputNames, inputs, inputCount, outputNames, outputCount, outputs));

    public static IntPtr CreateSessionOptions()
    {
        IntPtr options;
        Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)Slot(CreateSessionOptionsSlot))(&options));
        return options;
    }

    public static void SetExecutionMode(IntPtr options, int mode) => Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Slot(SetSessionExecutionModeSlot))(options, mode));

    public static void SetMemoryPattern(IntPtr options, bool enable) => Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Slot(enable ? EnableMemPatternSlot : DisableMemPatternSlot))(options));

    public static void SetLogSeverity(IntPtr options, int level) => Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Slot(SetSessionLogSeverityLevelSlot))(options, level));

    public static void SetGraphOptimizationLevel(IntPtr options, int level) => Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Slot(SetSessionGraphOptimizationLevelSlot))(options, level));

    public static void SetIntraOpThreads(IntPtr options, int threads) => Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Slot(SetIntraOpNumThreadsSlot))(options, threads));

    public static void SetInterOpThreads(IntPtr options, int threads) => Check(((delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr>)Slot(SetInterOpNumThreadsSlot))(options, threads));

    public static int InputCount(IntPtr session)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)Slot(SessionGetInputCountSlot))(session, &count));
        return checked((int)count);
    }

    public static int OutputCount(IntPtr session)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)Slot(SessionGetOutputCountSlot))(session, &count));
        return checked((int)count);
    }

    public static string InputName(IntPtr session, int index) => Name(SessionGetInputNameSlot, session, index);

    public static string OutputName(IntPtr session, int index) => Name(SessionGetOutputNameSlot, session, index);

    private static string Name(int slot, IntPtr session, int index)
    {
        IntPtr allocator = DefaultAllocator();
        IntPtr name;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr, IntPtr*, IntPtr>)Slot(slot))(session, (nuint)index, allocator, &name));
        try
        {
            return Marshal.PtrToStringUTF8(name) ?? string.Empty;
        }
        finally
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr>)Slot(AllocatorFreeSlot))(allocator, name));
        }
    }

    /// <summary>Type information of input or output <paramref name="index"/>: a new OrtTypeInfo to release with <see cref="ReleaseTypeInfo"/>.</summary>
    public static IntPtr TypeInfo(IntPtr session, int index, bool input)
    {
        IntPtr info;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint, IntPtr*, IntPtr>)Slot(input ? SessionGetInputTypeInfoSlot : SessionGetOutputTypeInfoSlot))(session, (nuint)index, &info));
        return info;
    }

    /// <summary>The tensor part of a type info (owned by it), or zero when the value is not a tensor.</summary>
    public static IntPtr TensorInfo(IntPtr typeInfo)
    {
        IntPtr tensorInfo;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)Slot(CastTypeInfoToTensorInfoSlot))(typeInfo, &tensorInfo));
        return tensorInfo;
    }

    public static OnnxElementType ElementType(IntPtr tensorInfo)
    {
        int type;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)Slot(GetTensorElementTypeSlot))(tensorInfo, &type));
        return (OnnxElementType)type;
    }

    public static long[] Dimensions(IntPtr tensorInfo)
    {
        nuint count;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, nuint*, IntPtr>)Slot(GetDimensionsCountSlot))(tensorInfo, &count));
        var dims = new long[(int)count];
        fixed (long* d = dims)
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, IntPtr>)Slot(GetDimensionsSlot))(tensorInfo, d, count));
        }

        return dims;
    }

    public static string[] SymbolicDimensions(IntPtr tensorInfo, int count)
    {
        var pointers = new IntPtr[count];
        fixed (IntPtr* p = pointers)
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, nuint, IntPtr>)Slot(GetSymbolicDimensionsSlot))(tensorInfo, p, (nuint)count));
        }

        return [.. pointers.Select(p => p == IntPtr.Zero ? string.Empty : Marshal.PtrToStringUTF8(p) ?? string.Empty)];
    }

    public static void ReleaseTypeInfo(IntPtr typeInfo) => ((delegate* unmanaged[Cdecl]<IntPtr, void>)Slot(ReleaseTypeInfoSlot))(typeInfo);

    public static IntPtr CreateRunOptions()
    {
        IntPtr options;
        Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)Slot(CreateRunOptionsSlot))(&options));
        return options;
    }

    public static void Terminate(IntPtr runOptions) => Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)Slot(RunOptionsSetTerminateSlot))(runOptions));

    public static IntPtr CreateTensor(IntPtr memoryInfo, void* data, nuint byteCount, ReadOnlySpan<long> shape, OnnxElementType type)
    {
        IntPtr value;
        fixed (long* s = shape)
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, long*, nuint, int, IntPtr*, IntPtr>)Slot(CreateTensorWithDataAsOrtValueSlot))(memoryInfo, data, byteCount, s, (nuint)shape.Length, (int)type, &value));
        }

        return value;
    }

    public static IntPtr AllocateTensor(ReadOnlySpan<long> shape, OnnxElementType type)
    {
        IntPtr value;
        fixed (long* s = shape)
        {
            Check(((delegate* unmanaged[Cdecl]<IntPtr, long*, nuint, int, IntPtr*, IntPtr>)Slot(CreateTensorAsOrtValueSlot))(DefaultAllocator(), s, (nuint)shape.Length, (int)type, &value));
        }

        return value;
    }

    public static bool IsTensor(IntPtr value)
    {
        int result;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, int*, IntPtr>)Slot(IsTensorSlot))(value, &result));
        return result != 0;
    }

    public static IntPtr TensorData(IntPtr value)
    {
        IntPtr data;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)Slot(GetTensorMutableDataSlot))(value, &data));
        return data;
    }

    /// <summary>Element type and shape of a tensor value.</summary>
    public static (OnnxElementType Type, long[] Shape) TensorTypeAndShape(IntPtr value)
    {
        IntPtr info;
        Check(((delegate* unmanaged[Cdecl]<IntPtr, IntPtr*, IntPtr>)Slot(GetTensorTypeAndShapeSlot))(value, &info));
        try
        {
            return (ElementType(info), Dimensions(info));
        }
        finally
        {
            ((delegate* unmanaged[Cdecl]<IntPtr, void>)Slot(ReleaseTensorTypeAndShapeInfoSlot))(info);
        }
    }

    public static IntPtr CreateCpuMemoryInfo()
    {
        IntPtr info;
        Check(((delegate* unmanaged[Cdecl]<int, int, IntPtr*, IntPtr>)Slot(CreateCpuMemoryInfoSlot))(OrtDeviceAllocator, OrtMemTypeDefault, &info));
        return info;
    }

    private static IntPtr DefaultAllocator()
    {
        IntPtr allocator;
        Check(((delegate* unmanaged[Cdecl]<IntPtr*, IntPtr>)Slot(GetAllocatorWithDefaultOptionsSlot))(&allocator));
        return allocator;
    }

    public static void ReleaseEnv(IntPtr handle) => Release(ReleaseEnvSlot, handle);

    public static void ReleaseMemoryInfo(IntPtr handle) => Release(ReleaseMemoryInfoSlot, handle);

    public static void ReleaseSession(IntPtr handle) => Release(ReleaseSessionSlot, handle);

    public static void ReleaseValue(IntPtr handle) => Release(ReleaseValueSlot, handle);

    public static void ReleaseRunOptions(IntPtr handle) => Release(ReleaseRunOptionsSlot, handle);

    public static void ReleaseSessionOptions(IntPtr handle) => Release(ReleaseSessionOptionsSlot, handle);

    private static void Release(int slot, IntPtr handle) => ((delegate* unmanaged[Cdecl]<IntPtr, void>)Slot(slot))(handle);
}
