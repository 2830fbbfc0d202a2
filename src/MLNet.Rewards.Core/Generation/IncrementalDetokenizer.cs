using System.Text;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Turns generated token ids into text as they arrive. A token can end in the middle of a UTF-8 character (an emoji is
/// often split over several tokens); those bytes are held back until the character is complete, so every piece handed
/// out is valid text and the pieces concatenate to the full decoding.
/// </summary>
internal sealed class IncrementalDetokenizer
{
    private readonly ByteLevelBpeTokenizer _tokenizer;
    private readonly bool _skipAddedTokens;
    private readonly List<byte> _pending = [];
    private readonly StringBuilder _text = new();

    /// <summary>Creates a stream over <paramref name="tokenizer"/>; added tokens are omitted when <paramref name="skipAddedTokens"/>.</summary>
    public IncrementalDetokenizer(ByteLevelBpeTokenizer tokenizer, bool skipAddedTokens = true)
    {
        _tokenizer = tokenizer;
        _skipAddedTokens = skipAddedTokens;
    }

    /// <summary>Adds one token and returns the text it completes (possibly empty).</summary>
    public string Push(int id)
    {
        _text.Clear();
        _tokenizer.AppendTokenBytes(id, _pending, _text, _skipAddedTokens);
        int complete = _pending.Count - IncompleteTail(_pending);
        if (complete > 0)
        {
            _text.Append(Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending)[..complete]));
            _pending.RemoveRange(0, complete);
        }

        return _text.ToString();
    }

    /// <summary>Returns whatever is still held back (an unfinished character decodes as U+FFFD) and clears it.</summary>
    public string Flush()
    {
        string rest = Encoding.UTF8.GetString([.. _pending]);
        _pending.Clear();
        return rest;
    }

    /// <summary>How many bytes at the end start a UTF-8 sequence that is not finished yet.</summary>
    private static int IncompleteTail(List<byte> bytes)
    {
        for (int back = 1; back <= Math.Min(3, bytes.Count); back++)
        {
            byte b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: look further back for the lead byte
            }

            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? back : 0;
        }

        return 0;
    }
}
