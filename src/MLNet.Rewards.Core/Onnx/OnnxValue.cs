using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// A tensor for ONNX Runtime: an <see cref="OrtValue"/> with its element type and shape read once. Created over a
/// caller's managed buffer (pinned, not copied, until disposal) with <see cref="CreateTensor{T}(Memory{T}, ReadOnlySpan{long})"/>,
/// allocated by ONNX Runtime with <see cref="Allocate{T}(ReadOnlySpan{long})"/>, or returned by
/// <see cref="OnnxSession.Run(IReadOnlyList{NamedOnnxValue}, IReadOnlyList{string}, CancellationToken)"/>. Any value,
/// including a run's output, can be passed as the input of a later run without copying (how a KV cache is fed back).
/// Spans returned by <see cref="AsSpan{T}"/> point into the value's memory: do not use them after disposal.
/// </summary>
/// <remarks>
/// Why a type of our own over <see cref="OrtValue"/>: the shape and element type are read from ONNX Runtime once instead
/// of on every access (the decoder reads them per layer and step), element-type mismatches and bad shapes give messages
/// that name both sides, and a value taken out of an <see cref="OnnxValueCollection"/> has one owner.
/// </remarks>
public sealed class OnnxValue : IDisposable
{
    private readonly long[] _shape;
    private bool _disposed;

    private OnnxValue(OrtValue value, OnnxElementType elementType, long[] shape)
    {
        Value = value;
        ElementType = elementType;
        _shape = shape;
        ElementCount = shape.Aggregate(1L, (a, b) => a * b);
    }

    /// <summary>Element type of the tensor (<see cref="OnnxElementType.Undefined"/> when the value is not a tensor).</summary>
    public OnnxElementType ElementType { get; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>Number of elements: the product of <see cref="Shape"/>.</summary>
    public long ElementCount { get; }

    /// <summary>Whether the value is a tensor (model outputs can also be sequences or maps, which this type does not read).</summary>
    public bool IsTensor => ElementType != OnnxElementType.Undefined;

    /// <summary>The ONNX Runtime value, for code that calls the managed API directly. Owned by this object.</summary>
    public OrtValue Value { get; }

    /// <summary>
    /// A tensor over <paramref name="data"/>, which is pinned (not copied) until the value is disposed: writes to the buffer
    /// before a run are seen by the run, and a value bound as a run's output receives the results in the buffer.
    /// </summary>
    /// <param name="data">Row-major elements; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The tensor's dimensions (none for a scalar).</param>
    public static OnnxValue CreateTensor<T>(Memory<T> data, ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        var type = OnnxElementTypes.Of<T>();
        long count = CheckedCount(shape);
        if (count != data.Length)
        {
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape.ToArray())}] has {count} elements but the buffer holds {data.Length}", nameof(data));
        }

        if (count == 0)
        {
            return Allocate<T>(shape);
        }

        long[] dims = shape.ToArray();
        return new OnnxValue(OnnxCalls.Guard(() => OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, data, dims)), type, dims);
    }

    /// <summary>A tensor of <paramref name="shape"/> in memory allocated by ONNX Runtime, zero-filled.</summary>
    public static OnnxValue Allocate<T>(ReadOnlySpan<long> shape)
        where T : unmanaged
    {
        var type = OnnxElementTypes.Of<T>();
        CheckedCount(shape);
        long[] dims = shape.ToArray();
        var value = new OnnxValue(OnnxCalls.Guard(() => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, (TensorElementType)type, dims)), type, dims);
        value.AsMutableSpan<T>().Clear();
        return value;
    }

    /// <summary>Wraps a value that ONNX Runtime created (a run's output), reading its type and shape once; takes ownership.</summary>
    internal static OnnxValue FromOrtValue(OrtValue value)
    {
        if (!value.IsTensor)
        {
            return new OnnxValue(value, OnnxElementType.Undefined, []);
        }

        var info = value.GetTensorTypeAndShape();
        return new OnnxValue(value, (OnnxElementType)info.ElementDataType, info.Shape);
    }

    /// <summary>The elements, read-only. <typeparamref name="T"/> must match <see cref="ElementType"/>.</summary>
    public ReadOnlySpan<T> AsSpan<T>()
        where T : unmanaged => AsMutableSpan<T>();

    /// <summary>The elements, writable in place. <typeparamref name="T"/> must match <see cref="ElementType"/>.</summary>
    public Span<T> AsMutableSpan<T>()
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var requested = OnnxElementTypes.Of<T>();
        if (requested != ElementType)
        {
            throw new InvalidOperationException($"the tensor holds {ElementType} elements, not {requested} ({typeof(T).Name})");
        }

        return ElementCount == 0 ? [] : Value.GetTensorMutableDataAsSpan<T>();
    }

    /// <summary>A copy of the elements.</summary>
    public T[] ToArray<T>()
        where T : unmanaged => AsSpan<T>().ToArray();

    /// <summary>Releases the ONNX Runtime value and unpins the managed buffer, if any.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Value.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => $"{ElementType}[{string.Join(", ", _shape)}]";

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static long CheckedCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"tensor dimensions must be non-negative; got [{string.Join(", ", shape.ToArray())}]", nameof(shape));
            }

            count = checked(count * d);
        }

        if (count > int.MaxValue)
        {
            throw new ArgumentException($"a tensor of shape [{string.Join(", ", shape.ToArray())}] has more than {int.MaxValue} elements", nameof(shape));
        }

        return count;
    }
}
