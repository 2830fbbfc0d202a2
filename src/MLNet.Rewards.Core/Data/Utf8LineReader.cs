namespace MLNet.Rewards.Data;

/// <summary>
/// Splits a stream into lines of raw bytes (on <c>\n</c>, with a trailing <c>\r</c> removed), without decoding them.
/// Decoding is left to the caller line by line, so that an invalid UTF-8 sequence is reported on its own line and can
/// be skipped like any other bad line; a <see cref="StreamReader"/> decodes whole buffers ahead of the line it returns.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _endOfStream;

    /// <summary>Reads lines from <paramref name="stream"/>, which the reader owns.</summary>
    public Utf8LineReader(Stream stream) => _stream = stream;

    /// <summary>
    /// The next line, without its line ending; false at the end of the stream. The bytes stay valid until the next call.
    /// </summary>
    public bool TryReadLine(out ReadOnlyMemory<byte> line)
    {
        int searched = 0;
        while (true)
        {
            int newline = _buffer.AsSpan(_start + searched, _end - _start - searched).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int length = searched + newline;
                line = TrimCarriageReturn(_buffer.AsMemory(_start, length));
                _start += length + 1;
                return true;
            }

            searched = _end - _start;
            if (_endOfStream)
            {
                line = TrimCarriageReturn(_buffer.AsMemory(_start, _end - _start));
                _start = _end;
                return line.Length > 0 || searched > 0;
            }

            Fill();
        }
    }

    /// <summary>Moves the unread bytes to the front (growing the buffer when one line fills it) and reads more.</summary>
    private void Fill()
    {
        int unread = _end - _start;
        if (unread == _buffer.Length)
        {
            Array.Resize(ref _buffer, checked(_buffer.Length * 2));
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, unread).CopyTo(_buffer);
        }

        _start = 0;
        _end = unread;
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line)
        => line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
