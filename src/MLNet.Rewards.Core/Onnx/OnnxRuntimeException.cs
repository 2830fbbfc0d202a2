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
    /// <summary>An error with ONNX Runtime's code and message.</summary>
    public OnnxRuntimeException(OnnxErrorCode code, string message, Exception? inner = null)
        : base($"ONNX Runtime error {code}: {message}", inner)
    {
        ErrorCode = code;
        RuntimeMessage = message;
    }

    /// <summary>An error found before ONNX Runtime was called.</summary>
    public OnnxRuntimeException(string message, Exception? inner = null)
        : base(message, inner)
    {
        ErrorCode = OnnxErrorCode.Fail;
        RuntimeMessage = message;
    }

    /// <summary>ONNX Runtime's error code.</summary>
    public OnnxErrorCode ErrorCode { get; }

    /// <summary>ONNX Runtime's own message.</summary>
    public string RuntimeMessage { get; }

    /// <summary>
    /// Ours from the managed API's exception. That exception carries its code only in its message ("[ErrorCode:X] ..."),
    /// so the code is read from there; <paramref name="source"/> (a model path) is prefixed to the message.
    /// </summary>
    internal static OnnxRuntimeException From(Microsoft.ML.OnnxRuntime.OnnxRuntimeException e, string? source = null)
    {
        var match = System.Text.RegularExpressions.Regex.Match(e.Message, @"^\[ErrorCode:(\w+)\]\s*(.*)$", System.Text.RegularExpressions.RegexOptions.Singleline);
        var code = match.Success && Enum.TryParse<OnnxErrorCode>(match.Groups[1].Value, out var parsed) ? parsed : OnnxErrorCode.Fail;
        string message = match.Success ? match.Groups[2].Value : e.Message;
        return new OnnxRuntimeException(code, source is null ? message : $"{source}: {message}", e);
    }
}
