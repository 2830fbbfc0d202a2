using Microsoft.ML.OnnxRuntime;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// A loaded ONNX model on ONNX Runtime (the Microsoft.ML.OnnxRuntime package's <see cref="InferenceSession"/>). Created
/// from a file or from bytes; describes its inputs and outputs; runs with any number of named inputs and outputs, over
/// our own buffers (<see cref="OnnxValue"/>) without copies. Runs may be called from several threads at once. Dispose
/// it to free the model.
/// </summary>
/// <remarks>
/// What this adds to <see cref="InferenceSession"/>: errors that name the model file, cancellation by token, the
/// execution-provider choice with a clear error when the CUDA build is absent, and outputs that can be moved out of a
/// run (<see cref="OnnxValueCollection.Take(string)"/>) to feed the next one.
/// Runs use <see cref="InferenceSession"/>'s <see cref="OrtValue"/> overloads, which bind our values as they are (no
/// copies, outputs to ONNX Runtime's memory or to the caller's tensors), not an <see cref="OrtIoBinding"/> per run: with
/// an IoBinding per run, greedy decoding measured 0.67-1.02x (median 0.76x) of the old binding's tokens/s against
/// 0.64-1.62x (median 1.02x) with these overloads, in interleaved runs on a loaded machine (docs/generation-speed.md).
/// </remarks>
/// <example>
/// <code>
/// using var session = OnnxSession.FromFile("model.onnx", new OnnxSessionOptions { IntraOpThreads = 2 });
/// using var ids = OnnxValue.CreateTensor&lt;long&gt;(tokenIds, [1, tokenIds.Length]);
/// using var outputs = session.Run([new("input_ids", ids)], ["logits"]);
/// ReadOnlySpan&lt;float&gt; logits = outputs["logits"].AsSpan&lt;float&gt;();
/// </code>
/// </example>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _uncancellable = new();
    private bool _disposed;

    private OnnxSession(InferenceSession session, string source)
    {
        _session = session;
        Source = source;
        Inputs = [.. session.InputNames.Select(n => Describe(n, session.InputMetadata[n]))];
        Outputs = [.. session.OutputNames.Select(n => Describe(n, session.OutputMetadata[n]))];
    }

    /// <summary>The version of the ONNX Runtime native library in use, e.g. "1.31.1".</summary>
    public static string RuntimeVersion => OrtEnv.Instance().GetVersionString();

    /// <summary>Where the model came from (a path, or "(bytes)").</summary>
    public string Source { get; }

    /// <summary>The model's inputs, in graph order.</summary>
    public IReadOnlyList<OnnxNodeInfo> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<OnnxNodeInfo> Outputs { get; }

    /// <summary>Loads a model file.</summary>
    public static OnnxSession FromFile(string path, OnnxSessionOptions? options = null)
    {
        RequireFile(path);
        return Create(options, o => new InferenceSession(path, o), path);
    }

    /// <summary>Loads a model from its serialised bytes (the bytes are not needed after this returns).</summary>
    public static OnnxSession FromBytes(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        var copy = model.ToArray();
        return Create(options, o => new InferenceSession(copy, o), "(bytes)");
    }

    /// <summary>
    /// Loads a model file without some of its outputs and the nodes only they need (<see cref="OnnxGraphPruning"/>), so
    /// runs do not compute them.
    /// </summary>
    internal static OnnxSession FromFileWithoutOutputs(string path, IReadOnlyCollection<string> removedOutputs, OnnxSessionOptions? options = null)
    {
        RequireFile(path);
        var model = OnnxGraphPruning.WithoutOutputs(path, removedOutputs);
        return Create(options, o => new InferenceSession(model, o), $"{path} (without {string.Join(", ", removedOutputs)})");
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {path}", path);
        }
    }

    private static OnnxSession Create(OnnxSessionOptions? options, Func<SessionOptions, InferenceSession> create, string source)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        using var native = new SessionOptions
        {
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = options.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = (GraphOptimizationLevel)options.OptimizationLevel,
            EnableMemoryPattern = options.MemoryPattern,
        };
        native.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        if (options.ExecutionProvider == OnnxExecutionProvider.Cuda)
        {
            AppendCuda(native, options.CudaDeviceId, source);
        }

        return new OnnxSession(OnnxCalls.Guard(() => create(native), source), source);
    }

    private static void AppendCuda(SessionOptions native, int device, string source)
    {
        try
        {
            native.AppendExecutionProvider_CUDA(device);
        }
        catch (Exception e) when (e is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            throw new OnnxRuntimeException(
                OnnxErrorCode.ExecutionProviderFail,
                $"{source}: the CUDA execution provider is not available ({e.Message.Trim()}). It needs ONNX Runtime's CUDA build: reference the " +
                "package Microsoft.ML.OnnxRuntime.Gpu 1.31.0 instead of Microsoft.ML.OnnxRuntime, on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9; " +
                "or choose the Cpu execution provider.",
                e);
        }
    }

    /// <summary>
    /// Runs the model. ONNX Runtime allocates the outputs, so their shapes may depend on the inputs; the caller owns the
    /// returned collection (dispose it) and may <see cref="OnnxValueCollection.Take(string)"/> values out of it to feed
    /// them to a later run.
    /// </summary>
    /// <param name="inputs">Named inputs; every input the model requires must be given.</param>
    /// <param name="outputNames">Outputs to compute, in the order they are returned.</param>
    /// <param name="cancellationToken">Cancels a run in progress (ONNX Runtime stops between operators).</param>
    public OnnxValueCollection Run(IReadOnlyList<NamedOnnxValue> inputs, IReadOnlyList<string> outputNames, CancellationToken cancellationToken = default)
    {
        var results = RunCore(inputs, run => _session.Run(run, Names(inputs), Values(inputs), outputNames), cancellationToken);
        var values = new OnnxValue[results.Count];
        int i = 0;
        foreach (var result in results)
        {
            values[i++] = OnnxValue.FromOrtValue(result);
        }

        return new OnnxValueCollection(outputNames, values);
    }

    /// <summary>
    /// Runs the model into caller-provided outputs (e.g. tensors over managed buffers from
    /// <see cref="OnnxValue.CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>): results are written in place, nothing is
    /// allocated for them. Each output's shape must be the one the model produces.
    /// </summary>
    public void Run(IReadOnlyList<NamedOnnxValue> inputs, IReadOnlyList<NamedOnnxValue> outputs, CancellationToken cancellationToken = default)
    {
        RunCore(
            inputs,
            run =>
            {
                _session.Run(run, Names(inputs), Values(inputs), Names(outputs), Values(outputs));
                return 0;
            },
            cancellationToken);
    }

    private T RunCore<T>(IReadOnlyList<NamedOnnxValue> inputs, Func<RunOptions, T> run, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var input in inputs)
        {
            input.Value.ThrowIfDisposed();
        }

        if (!cancellationToken.CanBeCanceled)
        {
            return OnnxCalls.Guard(() => run(_uncancellable), Source);
        }

        using var options = new RunOptions();
        using var registration = cancellationToken.Register(() => options.Terminate = true);
        try
        {
            return OnnxCalls.Guard(() => run(options), Source);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the ONNX Runtime run was cancelled", cancellationToken);
        }
    }

    private static string[] Names(IReadOnlyList<NamedOnnxValue> values) => [.. values.Select(v => v.Name)];

    private static OrtValue[] Values(IReadOnlyList<NamedOnnxValue> values) => [.. values.Select(v => v.Value.Value)];

    private static OnnxNodeInfo Describe(string name, NodeMetadata metadata) => metadata.IsTensor
        ? new OnnxNodeInfo(name, true, (OnnxElementType)metadata.ElementDataType, [.. metadata.Dimensions.Select(d => (long)d)], [.. metadata.SymbolicDimensions])
        : new OnnxNodeInfo(name, false, OnnxElementType.Undefined, [], []);

    /// <summary>Frees the model.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
        _uncancellable.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{Source}: inputs {string.Join("; ", Inputs)} -> outputs {string.Join("; ", Outputs)}";
}
