using System.Text;
using MLNet.Rewards.Onnx;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Reads the parts of an ONNX file that ONNX Runtime does not expose: the graph's initializers (name, type, shape and
/// where their raw bytes lie in the file) and its nodes (operator, inputs, integer attributes). A small reader of the
/// protobuf wire format over <c>ModelProto.graph</c> → <c>GraphProto.node</c> / <c>GraphProto.initializer</c>; tensor
/// bytes are read only when asked for, so a 100 MB model is scanned without being loaded.
/// </summary>
internal sealed class OnnxModelFile
{
    private readonly Dictionary<string, OnnxInitializer> _initializers;

    private OnnxModelFile(string path, Dictionary<string, OnnxInitializer> initializers, List<OnnxGraphNode> nodes)
    {
        Path = path;
        _initializers = initializers;
        Nodes = nodes;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The graph's nodes in file order.</summary>
    public IReadOnlyList<OnnxGraphNode> Nodes { get; }

    /// <summary>The graph's initializers by name.</summary>
    public IReadOnlyDictionary<string, OnnxInitializer> Initializers => _initializers;

    /// <summary>Scans <paramref name="path"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing or not a well-formed ONNX model.</exception>
    public static OnnxModelFile Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new ModelFormatException(path, "ONNX model not found");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new ProtoReader(stream, path);
        var initializers = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
        var nodes = new List<OnnxGraphNode>();
        bool sawGraph = false;
        while (reader.Position < stream.Length)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 7 && wire == 2)
            {
                sawGraph = true;
                long end = reader.ReadLength();
                while (reader.Position < end)
                {
                    var (graphField, graphWire) = reader.ReadTag();
                    if (graphField == 1 && graphWire == 2)
                    {
                        nodes.Add(ReadNode(reader, reader.ReadLength()));
                    }
                    else if (graphField == 5 && graphWire == 2)
                    {
                        var tensor = ReadTensor(reader, reader.ReadLength());
                        initializers[tensor.Name] = tensor;
                    }
                    else
                    {
                        reader.Skip(graphWire);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (!sawGraph)
        {
            throw new ModelFormatException(path, "no graph found: not an ONNX model");
        }

        return new OnnxModelFile(path, initializers, nodes);
    }

    /// <summary>The raw little-endian bytes of initializer <paramref name="name"/>.</summary>
    /// <exception cref="ModelFormatException">No such initializer, or its data is not stored as raw bytes in the file.</exception>
    public byte[] ReadRawData(string name)
    {
        if (!_initializers.TryGetValue(name, out var tensor))
        {
            throw new ModelFormatException(Path, $"the graph has no initializer '{name}'");
        }

        if (tensor.RawDataOffset < 0)
        {
            throw new ModelFormatException(Path, $"initializer '{name}' keeps its values outside raw_data (typed fields or external data), which this reader does not support");
        }

        var bytes = new byte[tensor.RawDataLength];
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Position = tensor.RawDataOffset;
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>The node whose name is <paramref name="name"/>.</summary>
    public OnnxGraphNode Node(string name) =>
        Nodes.FirstOrDefault(n => n.Name == name) ?? throw new ModelFormatException(Path, $"the graph has no node '{name}'");

    private static OnnxGraphNode ReadNode(ProtoReader reader, long end)
    {
        var inputs = new List<string>();
        var attributes = new Dictionary<string, long>(StringComparer.Ordinal);
        string name = "", op = "", domain = "";
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 2: inputs.Add(reader.ReadString()); break;
                case 3 when wire == 2: name = reader.ReadString(); break;
                case 4 when wire == 2: op = reader.ReadString(); break;
                case 7 when wire == 2: domain = reader.ReadString(); break;
                case 5 when wire == 2: ReadIntAttribute(reader, reader.ReadLength(), attributes); break;
                default: reader.Skip(wire); break;
            }
        }

        return new OnnxGraphNode(name, op, domain, inputs, attributes);
    }

    private static void ReadIntAttribute(ProtoReader reader, long end, Dictionary<string, long> attributes)
    {
        string? name = null;
        long? value = null;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            if (field == 1 && wire == 2)
            {
                name = reader.ReadString();
            }
            else if (field == 3 && wire == 0)
            {
                value = (long)reader.ReadVarint();
            }
            else
            {
                reader.Skip(wire);
            }
        }

        if (name is not null && value is not null)
        {
            attributes[name] = value.Value;
        }
    }

    private static OnnxInitializer ReadTensor(ProtoReader reader, long end)
    {
        var dims = new List<long>();
        int dataType = 0;
        string name = "";
        long rawOffset = -1, rawLength = 0;
        while (reader.Position < end)
        {
            var (field, wire) = reader.ReadTag();
            switch (field)
            {
                case 1 when wire == 0: dims.Add((long)reader.ReadVarint()); break;
                case 1 when wire == 2:
                    long packedEnd = reader.ReadLength();
                    while (reader.Position < packedEnd)
                    {
                        dims.Add((long)reader.ReadVarint());
                    }

                    break;
                case 2 when wire == 0: dataType = (int)reader.ReadVarint(); break;
                case 8 when wire == 2: name = reader.ReadString(); break;
                case 9 when wire == 2:
                    long rawEnd = reader.ReadLength();
                    rawOffset = reader.Position;
                    rawLength = rawEnd - rawOffset;
                    reader.Position = rawEnd;
                    break;
                default: reader.Skip(wire); break;
            }
        }

        return new OnnxInitializer(name, (OnnxElementType)dataType, dims, rawOffset, rawLength);
    }

    /// <summary>Protobuf wire-format primitives over a seekable stream, with errors naming the file and offset.</summary>
    private sealed class ProtoReader(Stream stream, string path)
    {
        public long Position
        {
            get => stream.Position;
            set => stream.Position = value;
        }

        public (int Field, int Wire) ReadTag()
        {
            ulong tag = ReadVarint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    throw Corrupt("the file ends inside a number");
                }

                result |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    return result;
                }
            }

            throw Corrupt("a number is longer than 10 bytes");
        }

        /// <summary>Reads a length prefix and returns the absolute end position of the field.</summary>
        public long ReadLength()
        {
            ulong length = ReadVarint();
            long end = stream.Position + (long)length;
            if (length > (ulong)stream.Length || end > stream.Length)
            {
                throw Corrupt($"a field of {length} bytes runs past the end of the file");
            }

            return end;
        }

        public string ReadString()
        {
            long end = ReadLength();
            var bytes = new byte[end - stream.Position];
            stream.ReadExactly(bytes);
            return Encoding.UTF8.GetString(bytes);
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: ReadVarint(); break;
                case 1: stream.Position += 8; break;
                case 2: stream.Position = ReadLength(); break;
                case 5: stream.Position += 4; break;
                default: throw Corrupt($"unknown wire type {wire}");
            }
        }

        private ModelFormatException Corrupt(string problem) => new(path, $"not a valid ONNX file at byte {stream.Position}: {problem}");
    }
}

/// <summary>One node of an ONNX graph.</summary>
/// <param name="Name">Node name.</param>
/// <param name="OperatorType">Operator, e.g. <c>MatMulNBits</c>.</param>
/// <param name="Domain">Operator domain (<c>com.microsoft</c> for contrib operators; empty for the default domain).</param>
/// <param name="Inputs">Input value names in order.</param>
/// <param name="IntegerAttributes">The node's integer attributes by name.</param>
internal sealed record OnnxGraphNode(string Name, string OperatorType, string Domain, IReadOnlyList<string> Inputs, IReadOnlyDictionary<string, long> IntegerAttributes)
{
    /// <summary>Integer attribute <paramref name="name"/>, or <paramref name="fallback"/> when the node does not set it.</summary>
    public long Attribute(string name, long fallback) => IntegerAttributes.TryGetValue(name, out long value) ? value : fallback;
}

/// <summary>An initializer of an ONNX graph: its description and where its raw bytes are in the file.</summary>
/// <param name="Name">Initializer name.</param>
/// <param name="DataType">Element type.</param>
/// <param name="Dimensions">Shape.</param>
/// <param name="RawDataOffset">File offset of <c>raw_data</c>, or -1 when the values are stored another way.</param>
/// <param name="RawDataLength">Length of <c>raw_data</c> in bytes.</param>
internal sealed record OnnxInitializer(string Name, OnnxElementType DataType, IReadOnlyList<long> Dimensions, long RawDataOffset, long RawDataLength);
