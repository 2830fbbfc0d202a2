namespace MLNet.Rewards.Onnx;

/// <summary>ONNX Runtime's error codes (<c>OrtErrorCode</c> in its C API).</summary>
public enum OnnxErrorCode
{
    /// <summary>No error.</summary>
    Ok = 0,

    /// <summary>A general failure.</summary>
    Fail = 1,

    /// <summary>An argument was invalid: an unknown input name, a wrong shape or element type, a bad option.</summary>
    InvalidArgument = 2,

    /// <summary>A file was not found.</summary>
    NoSuchFile = 3,

    /// <summary>No model was loaded.</summary>
    NoModel = 4,

    /// <summary>The execution engine failed.</summary>
    EngineError = 5,

    /// <summary>An exception was raised while running.</summary>
    RuntimeException = 6,

    /// <summary>The model file is not a valid ONNX protobuf.</summary>
    InvalidProtobuf = 7,

    /// <summary>The model was already loaded.</summary>
    ModelLoaded = 8,

    /// <summary>The operation is not implemented (e.g. an operator this build lacks).</summary>
    NotImplemented = 9,

    /// <summary>The graph is invalid.</summary>
    InvalidGraph = 10,

    /// <summary>An execution provider failed.</summary>
    ExecutionProviderFail = 11,
}

/// <summary>An error reported by ONNX Runtime, with its message and error code.</summary>
public sealed class OnnxRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxRuntimeException(OnnxErrorCode code, string message)
        : base($"ONNX Runtime error {code}: {message}")
    {
        ErrorCode = code;
        RuntimeMessage = message;
    }

    /// <summary>Creates an exception about the runtime itself (e.g. the native library could not be loaded).</summary>
    public OnnxRuntimeException(string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = OnnxErrorCode.Fail;
        RuntimeMessage = message;
    }

    /// <summary>ONNX Runtime's error code.</summary>
    public OnnxErrorCode ErrorCode { get; }

    /// <summary>ONNX Runtime's own message, without the code prefix.</summary>
    public string RuntimeMessage { get; }
}
