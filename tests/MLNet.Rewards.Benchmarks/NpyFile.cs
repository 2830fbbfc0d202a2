using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MLNet.Rewards.Benchmarks;

/// <summary>
/// The NumPy .npy format (version 1.0) for 2-D little-endian float32 matrices: the file both sides of the benchmark read,
/// so they train on the very same bytes.
/// </summary>
internal static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    /// <summary>Writes <paramref name="matrix"/> as a C-ordered float32 array of shape (rows, columns).</summary>
    public static void Write(string path, FloatMatrix matrix)
    {
        string dictionary = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({matrix.Rows}, {matrix.Columns}), }}");
        // The header (magic, version, length, dictionary, padding, newline) is padded to a multiple of 64 bytes.
        int unpadded = Magic.Length + 2 + dictionary.Length + 1;
        int padding = (64 - (unpadded % 64)) % 64;
        string header = dictionary + new string(' ', padding) + "\n";
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(Magic);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, checked((ushort)header.Length));
        file.Write(length);
        file.Write(Encoding.ASCII.GetBytes(header));
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("the .npy writer assumes a little-endian machine");
        }

        file.Write(MemoryMarshal.AsBytes(matrix.Data.AsSpan()));
    }

    /// <summary>Reads a matrix written by <see cref="Write"/> (or by numpy.save of a 2-D float32 array).</summary>
    public static FloatMatrix Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var (rows, columns) = ReadHeader(file, path);
        var matrix = new FloatMatrix(rows, columns);
        file.ReadExactly(MemoryMarshal.AsBytes(matrix.Data.AsSpan()));
        return matrix;
    }

    /// <summary>The (rows, columns) of a .npy matrix, from its header alone.</summary>
    public static (int Rows, int Columns) ReadShape(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        return ReadHeader(file, path);
    }

    private static (int Rows, int Columns) ReadHeader(FileStream file, string path)
    {
        Span<byte> prefix = stackalloc byte[10];
        file.ReadExactly(prefix);
        if (!prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{path}: not a version 1.0 .npy file");
        }

        var header = new byte[BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])];
        file.ReadExactly(header);
        string text = Encoding.ASCII.GetString(header);
        var shape = ShapePattern().Match(text);
        if (!text.Contains("'<f4'", StringComparison.Ordinal) || !text.Contains("'fortran_order': False", StringComparison.Ordinal) || !shape.Success)
        {
            throw new InvalidDataException($"{path}: expected a C-ordered 2-D float32 array, header is {text.Trim()}");
        }

        return (int.Parse(shape.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(shape.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"'shape': \((\d+), (\d+)\)")]
    private static partial Regex ShapePattern();
}
