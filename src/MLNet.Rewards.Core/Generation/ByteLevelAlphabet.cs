namespace MLNet.Rewards.Generation;

/// <summary>
/// GPT-2's reversible map between the 256 byte values and 256 printable characters (<c>bytes_to_unicode</c>): bytes that
/// are printable Latin-1 map to themselves, the others to U+0100 onwards in byte order. BPE vocabularies are written in
/// these characters, so a space is 'Ġ' and a newline 'Ċ'.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    /// <summary>The character that stands for <paramref name="value"/>.</summary>
    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>The byte a vocabulary character stands for.</summary>
    /// <exception cref="FormatException">The character is not one of the 256.</exception>
    public static byte ByteOf(char c) => CharToByte.TryGetValue(c, out byte b)
        ? b
        : throw new FormatException($"U+{(int)c:X4} is not a byte-level BPE character");

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++)
        {
            map[ByteToChar[b]] = (byte)b;
        }

        return map;
    }
}
