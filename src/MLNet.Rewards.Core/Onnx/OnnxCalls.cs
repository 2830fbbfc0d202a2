namespace MLNet.Rewards.Onnx;

/// <summary>Calls into ONNX Runtime's managed API with its exceptions turned into <see cref="OnnxRuntimeException"/>.</summary>
internal static class OnnxCalls
{
    public static T Guard<T>(Func<T> call, string? source = null)
    {
        try
        {
            return call();
        }
        catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException e)
        {
            throw OnnxRuntimeException.From(e, source);
        }
    }
}
