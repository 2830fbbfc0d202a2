using System.Runtime.InteropServices;
using System.Text;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// A loaded ONNX model (<c>OrtSession</c>) on ONNX Runtime's CPU provider. Created from a file or from bytes; describes
/// its inputs and outputs; runs with any number of named inputs and outputs. Runs may be called from several threads
/// at once. Dispose it to free the model.
/// </summary>
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
    private readonly OrtHandle _handle;

    private OnnxSession(OrtHandle handle, string source)
    {
        _handle = handle;
        Source = source;
        IntPtr raw = handle.DangerousGetHandle();
        Inputs = [.. Enumerable.Range(0, OrtApi.InputCount(raw)).Select(i => Describe(raw, i, input: true))];
        Outputs = [.. Enumerable.Range(0, OrtApi.OutputCount(raw)).Select(i => Describe(raw, i, input: false))];
    }

    /// <summary>Where the model came from (a path, or "(bytes)").</summary>
    public string Source { get; }

    /// <summary>The model's inputs, in graph order.</summary>
    public IReadOnlyList<OnnxNodeInfo> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<OnnxNodeInfo> Outputs { get; }

    /// <summary>Loads a model file.</summary>
    public static OnnxSession FromFile(string path, OnnxSessionOptions? options = null)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: {path}", path);
        }

        return Create(options, o => OrtApi.CreateSession(OrtProcess.Environment.DangerousGetHandle(), path, o), path);
    }

    /// <summary>Loads a model from its serialised bytes (the bytes are not needed after this returns).</summary>
    public static OnnxSession FromBytes(ReadOnlySpan<byte> model, OnnxSessionOptions? options = null)
    {
        var copy = model.ToArray();
        return Create(options, o => OrtApi.CreateSessionFromArray(OrtProcess.Environment.DangerousGetHandle(), copy, o), "(bytes)");
    }

    private static OnnxSession Create(OnnxSessionOptions? options, Func<IntPtr, IntPtr> create, string source)
    {
        options ??= new OnnxSessionOptions();
        options.Validate();
        using var nativeOptions = new OrtHandle(OrtApi.CreateSessionOptions(), OrtApi.ReleaseSessionOptions);
        IntPtr o = nativeOptions.DangerousGetHandle();
        OrtApi.SetLogSeverity(o, 3);
        OrtApi.SetIntraOpThreads(o, options.IntraOpThreads);
        OrtApi.SetInterOpThreads(o, options.InterOpThreads);
        OrtApi.SetExecutionMode(o, options.ParallelExecution ? 1 : 0);
        OrtApi.SetGraphOptimizationLevel(o, (int)options.OptimizationLevel);
        OrtApi.SetMemoryPattern(o, options.MemoryPattern);
        var handle = new OrtHandle(create(o), OrtApi.ReleaseSession);
        try
        {
            return new OnnxSession(handle, source);
        }
        catch
        {
            handle.Dispose();
            throw;
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
        var outputs = new IntPtr[outputNames.Count];
        try
        {
            RunCore(inputs, outputNames, outputs, cancellationToken);
            var values = new OnnxValue[outputs.Length];
            for (int i = 0; i < outputs.Length; i++)
            {
                values[i] = OnnxValue.FromHandle(new OrtHandle(outputs[i], OrtApi.ReleaseValue));
                outputs[i] = IntPtr.Zero;
            }

            return new OnnxValueCollection(outputNames, values);
        }
        finally
        {
            foreach (var leftover in outputs.Where(p => p != IntPtr.Zero))
            {
                OrtApi.ReleaseValue(leftover);
            }
        }
    }

    /// <summary>
    /// Runs the model into caller-provided outputs (e.g. tensors over managed buffers from
    /// <see cref="OnnxValue.CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>): results are written in place, nothing is
    /// allocated for them. Each output's shape must be the one the model produces.
    /// </summary>
    public void Run(IReadOnlyList<NamedOnnxValue> inputs, IReadOnlyList<NamedOnnxValue> outputs, CancellationToken cancellationToken = default)
    {
        var handles = new IntPtr[outputs.Count];
        var added = new List<SafeHandle>(outputs.Count);
        try
        {
            for (int i = 0; i < outputs.Count; i++)
            {
                handles[i] = AddRef(outputs[i].Value, added);
            }

            RunCore(inputs, [.. outputs.Select(o => o.Name)], handles, cancellationToken);
        }
        finally
        {
            added.ForEach(h => h.DangerousRelease());
        }
    }

    private unsafe void RunCore(IReadOnlyList<NamedOnnxValue> inputs, IReadOnlyList<string> outputNames, IntPtr[] outputs, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var added = new List<SafeHandle>(inputs.Count + 2);
        var inputHandles = new IntPtr[inputs.Count];
        OrtHandle? runOptions = null;
        CancellationTokenRegistration registration = default;
        try
        {
            bool sessionAdded = false;
            _handle.DangerousAddRef(ref sessionAdded);
            added.Add(_handle);
            for (int i = 0; i < inputs.Count; i++)
            {
                inputHandles[i] = AddRef(inputs[i].Value, added);
            }

            if (cancellationToken.CanBeCanceled)
            {
                runOptions = new OrtHandle(OrtApi.CreateRunOptions(), OrtApi.ReleaseRunOptions);
                var options = runOptions;
                registration = cancellationToken.Register(() => OrtApi.Terminate(options.DangerousGetHandle()));
            }

            byte[] inputNameBytes = Utf8Names(inputs.Select(x => x.Name), out int[] inputOffsets);
            byte[] outputNameBytes = Utf8Names(outputNames, out int[] outputOffsets);
            fixed (byte* inNames = inputNameBytes)
            fixed (byte* outNames = outputNameBytes)
            fixed (IntPtr* inValues = inputHandles)
            fixed (IntPtr* outValues = outputs)
            {
                var inNamePointers = stackalloc IntPtr[Math.Max(1, inputs.Count)];
                var outNamePointers = stackalloc IntPtr[Math.Max(1, outputNames.Count)];
                for (int i = 0; i < inputs.Count; i++)
                {
                    inNamePointers[i] = (IntPtr)(inNames + inputOffsets[i]);
                }

                for (int i = 0; i < outputNames.Count; i++)
                {
                    outNamePointers[i] = (IntPtr)(outNames + outputOffsets[i]);
                }

                try
                {
                    OrtApi.Run(_handle.DangerousGetHandle(), runOptions?.DangerousGetHandle() ?? IntPtr.Zero, inNamePointers, inValues, (nuint)inputs.Count, outNamePointers, (nuint)outputNames.Count, outValues);
                }
                catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("the ONNX Runtime run was cancelled", cancellationToken);
                }
            }
        }
        finally
        {
            registration.Dispose();
            runOptions?.Dispose();
            added.ForEach(h => h.DangerousRelease());
        }
    }

    private static IntPtr AddRef(OnnxValue value, List<SafeHandle> added)
    {
        bool success = false;
        value.Handle.DangerousAddRef(ref success);
        added.Add(value.Handle);
        return value.Handle.DangerousGetHandle();
    }

    /// <summary>All names as NUL-terminated UTF-8 in one buffer, with each name's offset.</summary>
    private static byte[] Utf8Names(IEnumerable<string> names, out int[] offsets)
    {
        var list = names.ToList();
        offsets = new int[list.Count];
        int length = 0;
        for (int i = 0; i < list.Count; i++)
        {
            offsets[i] = length;
            length += Encoding.UTF8.GetByteCount(list[i]) + 1;
        }

        var bytes = new byte[Math.Max(1, length)];
        for (int i = 0; i < list.Count; i++)
        {
            Encoding.UTF8.GetBytes(list[i], bytes.AsSpan(offsets[i]));
        }

        return bytes;
    }

    private static OnnxNodeInfo Describe(IntPtr session, int index, bool input)
    {
        string name = input ? OrtApi.InputName(session, index) : OrtApi.OutputName(session, index);
        IntPtr typeInfo = OrtApi.TypeInfo(session, index, input);
        try
        {
            IntPtr tensorInfo = OrtApi.TensorInfo(typeInfo);
            if (tensorInfo == IntPtr.Zero)
            {
                return new OnnxNodeInfo(name, false, OnnxElementType.Undefined, [], []);
            }

            var dims = OrtApi.Dimensions(tensorInfo);
            return new OnnxNodeInfo(name, true, OrtApi.ElementType(tensorInfo), dims, OrtApi.SymbolicDimensions(tensorInfo, dims.Length));
        }
        finally
        {
            OrtApi.ReleaseTypeInfo(typeInfo);
        }
    }

    /// <summary>Frees the model. Runs in progress on other threads finish first.</summary>
    public void Dispose() => _handle.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{Source}: inputs {string.Join("; ", Inputs)} -> outputs {string.Join("; ", Outputs)}";
}
