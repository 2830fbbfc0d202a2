using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace MLNet.Rewards.Data;

/// <summary>
/// Decompresses a gzip file (one member or several concatenated, as <c>cat a.gz b.gz</c> makes) and checks that every
/// member ends with its trailer: the CRC-32 and the length (mod 2^32) of its data. A file cut short, even exactly at a
/// line boundary, fails with an <see cref="InvalidDataException"/> saying it is truncated instead of reading as complete.
/// </summary>
/// <remarks>
/// Why not <see cref="GZipStream"/> alone: when its input ends before the end of a member it returns end-of-stream without
/// an error (checked on .NET 10 with a file cut mid-line and one cut after a full flush), so a truncated file reads as a
/// shorter, valid one. SharpZipLib's GZipInputStream does detect this but decompressed alpaca-eval-train 2.4x slower
/// (1.33 s against 0.55 s, CRC included, 3 interleaved runs at load 6.8). So the members are inflated here with
/// <see cref="DeflateStream"/> (the runtime's zlib) and the gzip framing around them (header, trailer) is read by this class.
/// </remarks>
internal sealed class CheckedGzipStream : Stream
{
    private const byte FlagHeaderCrc = 2, FlagExtra = 4, FlagName = 8, FlagComment = 16;
    private const int TrailerLength = 8;

    private readonly FileStream _file;
    private readonly ChunkTrackingStream _input;
    private readonly Crc32 _crc = new();
    private DeflateStream? _member;
    private long _memberStart;
    private uint _memberLength;
    private int _members;
    private bool _finished;

    /// <summary>Opens <paramref name="path"/> for checked decompression.</summary>
    public CheckedGzipStream(string path)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        _input = new ChunkTrackingStream(_file);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (!_finished && buffer.Length > 0)
        {
            if (_member is null && !StartMember())
            {
                _finished = true;
                break;
            }

            int read;
            try
            {
                read = _member!.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"the gzip data is corrupt in member {_members + 1} ({e.Message})", e);
            }

            if (read > 0)
            {
                _crc.Append(buffer[..read]);
                _memberLength = unchecked(_memberLength + (uint)read);
                return read;
            }

            EndMember();
        }

        return 0;
    }

    /// <summary>Reads the next member's header; false at the end of the file after at least one member.</summary>
    private bool StartMember()
    {
        Span<byte> fixedHeader = stackalloc byte[10];
        int got = _file.ReadAtLeast(fixedHeader, fixedHeader.Length, throwOnEndOfStream: false);
        if (got == 0 && _members > 0)
        {
            return false;
        }

        if (got < 2 || fixedHeader[0] != 0x1f || fixedHeader[1] != 0x8b)
        {
            throw new InvalidDataException(_members == 0
                ? got == 0 ? "the gzip file is empty (truncated?)" : "not a gzip file (it does not start with the gzip signature 1F 8B)"
                : $"unexpected bytes after gzip member {_members} (at byte {_file.Position - got}): the file is corrupt");
        }

        if (got < fixedHeader.Length)
        {
            throw Truncated("inside a gzip header");
        }

        if (fixedHeader[2] != 8)
        {
            throw new InvalidDataException($"gzip member {_members + 1} uses compression method {fixedHeader[2]}; only deflate (8) exists");
        }

        byte flags = fixedHeader[3];
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> length = stackalloc byte[2];
            ReadHeaderBytes(length);
            Skip(BinaryPrimitives.ReadUInt16LittleEndian(length));
        }

        if ((flags & FlagName) != 0)
        {
            SkipZeroTerminated();
        }

        if ((flags & FlagComment) != 0)
        {
            SkipZeroTerminated();
        }

        if ((flags & FlagHeaderCrc) != 0)
        {
            Skip(2);
        }

        _memberStart = _file.Position;
        _input.Reset();
        _crc.Reset();
        _memberLength = 0;
        _member = new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
        return true;
    }

    /// <summary>
    /// The member's deflate data ended (or the file did): find its trailer. <see cref="DeflateStream"/> reads its input in
    /// chunks and asks for another only when it needs more, so the deflate data ends inside the last chunk it was given,
    /// and the trailer (which must match the CRC and length just computed) starts there. No match means the file ended
    /// before the member did.
    /// </summary>
    private void EndMember()
    {
        _member!.Dispose();
        _member = null;
        _members++;
        Span<byte> expected = stackalloc byte[TrailerLength];
        BinaryPrimitives.WriteUInt32LittleEndian(expected, _crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], _memberLength);

        long windowStart = Math.Max(_memberStart, _input.LastChunkStart - TrailerLength);
        long windowEnd = _input.LastChunkEnd + TrailerLength;
        var window = new byte[windowEnd - windowStart];
        _file.Position = windowStart;
        int length = _file.ReadAtLeast(window, window.Length, throwOnEndOfStream: false);
        int found = window.AsSpan(0, length).IndexOf(expected);
        if (found < 0)
        {
            throw new InvalidDataException($"the gzip stream is truncated or corrupt: gzip member {_members} has no trailer matching its data (CRC-32 and length){(_input.LastChunkEnd >= _file.Length ? "; the file ends first" : "")}");
        }

        _file.Position = windowStart + found + TrailerLength;
    }

    private InvalidDataException Truncated(string where) => new($"the gzip stream is truncated: gzip member {_members} ends {where}; the file is incomplete");

    private void ReadHeaderBytes(Span<byte> destination)
    {
        if (_file.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
        {
            throw Truncated("inside a gzip header");
        }
    }

    private void Skip(int count)
    {
        if (_file.Position + count > _file.Length)
        {
            throw Truncated("inside a gzip header");
        }

        _file.Position += count;
    }

    private void SkipZeroTerminated()
    {
        int value;
        while ((value = _file.ReadByte()) != 0)
        {
            if (value < 0)
            {
                throw Truncated("inside a gzip header");
            }
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _member?.Dispose();
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Passes reads through and remembers the file range of the last non-empty one.</summary>
    private sealed class ChunkTrackingStream(FileStream file) : Stream
    {
        public long LastChunkStart { get; private set; }

        public long LastChunkEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Reset() => LastChunkStart = LastChunkEnd = file.Position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            long start = file.Position;
            int read = file.Read(buffer);
            if (read > 0)
            {
                LastChunkStart = start;
                LastChunkEnd = start + read;
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
