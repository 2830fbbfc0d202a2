namespace MLNet.Rewards.Onnx;

// The members are ONNX's element type names, which are type names by nature (CA1720).
#pragma warning disable CA1720
/// <summary>Element types of ONNX tensors (<c>ONNXTensorElementDataType</c>).</summary>
public enum OnnxElementType
{
    /// <summary>Not a tensor, or not known.</summary>
    Undefined = 0,

    /// <summary>float (32-bit).</summary>
    Float = 1,

    /// <summary>byte.</summary>
    UInt8 = 2,

    /// <summary>sbyte.</summary>
    Int8 = 3,

    /// <summary>ushort.</summary>
    UInt16 = 4,

    /// <summary>short.</summary>
    Int16 = 5,

    /// <summary>int.</summary>
    Int32 = 6,

    /// <summary>long.</summary>
    Int64 = 7,

    /// <summary>string (not supported by <see cref="OnnxValue"/>'s typed access).</summary>
    String = 8,

    /// <summary>bool (one byte).</summary>
    Bool = 9,

    /// <summary>IEEE half precision (<see cref="Half"/>).</summary>
    Float16 = 10,

    /// <summary>double.</summary>
    Double = 11,

    /// <summary>uint.</summary>
    UInt32 = 12,

    /// <summary>ulong.</summary>
    UInt64 = 13,

    /// <summary>complex of two floats.</summary>
    Complex64 = 14,

    /// <summary>complex of two doubles.</summary>
    Complex128 = 15,

    /// <summary>bfloat16.</summary>
    BFloat16 = 16,
}
#pragma warning restore CA1720

/// <summary>Maps .NET element types to <see cref="OnnxElementType"/>.</summary>
internal static class OnnxElementTypes
{
    /// <summary>The ONNX element type of <typeparamref name="T"/>; throws for types ONNX tensors cannot hold.</summary>
    public static OnnxElementType Of<T>()
        where T : unmanaged
    {
        var type = typeof(T);
        return type switch
        {
            _ when type == typeof(float) => OnnxElementType.Float,
            _ when type == typeof(long) => OnnxElementType.Int64,
            _ when type == typeof(int) => OnnxElementType.Int32,
            _ when type == typeof(Half) => OnnxElementType.Float16,
            _ when type == typeof(double) => OnnxElementType.Double,
            _ when type == typeof(byte) => OnnxElementType.UInt8,
            _ when type == typeof(sbyte) => OnnxElementType.Int8,
            _ when type == typeof(short) => OnnxElementType.Int16,
            _ when type == typeof(ushort) => OnnxElementType.UInt16,
            _ when type == typeof(uint) => OnnxElementType.UInt32,
            _ when type == typeof(ulong) => OnnxElementType.UInt64,
            _ when type == typeof(bool) => OnnxElementType.Bool,
            _ => throw new NotSupportedException($"{type.Name} is not an ONNX tensor element type (use float, long, int, Half, double, byte, sbyte, short, ushort, uint, ulong or bool)"),
        };
    }

    /// <summary>Size in bytes of one element, or 0 for types without a fixed size (string).</summary>
    public static int SizeOf(OnnxElementType type) => type switch
    {
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Int64 or OnnxElementType.UInt64 or OnnxElementType.Double or OnnxElementType.Complex64 => 8,
        OnnxElementType.Float16 or OnnxElementType.BFloat16 or OnnxElementType.Int16 or OnnxElementType.UInt16 => 2,
        OnnxElementType.UInt8 or OnnxElementType.Int8 or OnnxElementType.Bool => 1,
        OnnxElementType.Complex128 => 16,
        _ => 0,
    };
}
