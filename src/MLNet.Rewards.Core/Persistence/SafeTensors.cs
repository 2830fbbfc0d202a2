using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the raw little-endian data), so that Python's <c>safetensors</c> can open our weights.
/// Only float32 (<c>F32</c>) tensors are produced and accepted.
/// </summary>
internal static class SafeTensors
{
    private const int Alignment = 8;

    /// <summary>Serialises <paramref name="tensors"/> (name → (shape, data)) with optional string metadata.</summary>
    public static byte[] Write(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (key, value) in metadata)
            {
                meta[key] = value;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        foreach (var tensor in tensors)
        {
            if (tensor.Data.Length != tensor.Shape.Aggregate(1L, (a, b) => a * b))
            {
                throw new ArgumentException($"tensor '{tensor.Name}' has {tensor.Data.Length} values but shape [{string.Join(",", tensor.Shape)}]");
            }

            long bytes = tensor.Data.Length * sizeof(float);
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray([.. tensor.Shape.Select(s => (JsonNode)s)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        byte[] headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + Alignment - 1) / Alignment * Alignment;
        var output = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(output, (ulong)padded);
        headerBytes.CopyTo(output, 8);
        output.AsSpan(8 + headerBytes.Length, padded - headerBytes.Length).Fill((byte)' ');
        int position = 8 + padded;
        foreach (var tensor in tensors)
        {
            var bytes = MemoryMarshal.AsBytes(tensor.Data.AsSpan());
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("safetensors are little-endian; big-endian hosts are not supported");
            }

            bytes.CopyTo(output.AsSpan(position));
            position += bytes.Length;
        }

        return output;
    }

    /// <summary>Parses a safetensors buffer; every structural problem becomes a <see cref="ModelFormatException"/>.</summary>
    public static IReadOnlyDictionary<string, NamedTensor> Read(ReadOnlySpan<byte> buffer, string origin)
    {
        if (buffer.Length < 8)
        {
            throw new ModelFormatException(origin, "the weights file is shorter than its 8-byte header length");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        if (headerLength > (ulong)(buffer.Length - 8))
        {
            throw new ModelFormatException(origin, $"the weights header claims {headerLength} bytes but the file has {buffer.Length - 8} after it (truncated?)");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(buffer.Slice(8, (int)headerLength))?.AsObject() ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ModelFormatException(origin, $"the weights header is not a JSON object ({e.Message})");
        }

        var data = buffer[(8 + (int)headerLength)..];
        var tensors = new Dictionary<string, NamedTensor>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                continue;
            }

            try
            {
                var entry = node!.AsObject();
                string dtype = entry["dtype"]!.GetValue<string>();
                if (dtype != "F32")
                {
                    throw new ModelFormatException(origin, $"tensor '{name}' has dtype {dtype}; only F32 is supported");
                }

                int[] shape = [.. entry["shape"]!.AsArray().Select(s => s!.GetValue<int>())];
                var offsets = entry["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                long expected = shape.Aggregate(1L, (a, b) => a * b) * sizeof(float);
                if (begin < 0 || end > data.Length || end - begin != expected)
                {
                    throw new ModelFormatException(origin, $"tensor '{name}' spans bytes {begin}..{end} of {data.Length}, but shape [{string.Join(",", shape)}] needs {expected} bytes");
                }

                var values = MemoryMarshal.Cast<byte, float>(data[(int)begin..(int)end]).ToArray();
                tensors[name] = new NamedTensor(name, shape, values);
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException)
            {
                throw new ModelFormatException(origin, $"tensor '{name}' has a malformed header entry ({e.Message})");
            }
        }

        return tensors;
    }
}

/// <summary>A named float32 tensor.</summary>
/// <param name="Name">Name in the safetensors file.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Data">Values, row-major.</param>
internal sealed record NamedTensor(string Name, int[] Shape, float[] Data);
