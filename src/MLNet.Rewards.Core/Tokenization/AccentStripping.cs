using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// BERT's accent stripping: canonical decomposition (NFD) with non-spacing marks (Mn) removed, e.g. "é" -> "e",
/// "Å" -> "A". Works the same whether or not the application runs in globalization-invariant mode (where
/// <see cref="string.Normalize()"/> does nothing), because the decompositions come from a generated table.
/// </summary>
internal static partial class AccentStripping
{
    private const int HangulBase = 0xAC00;
    private const int HangulCount = 11172;
    private static readonly Dictionary<int, string> Decompositions = Parse();

    /// <summary>Appends <paramref name="rune"/> to <paramref name="output"/> with its accents stripped.</summary>
    public static void Append(Rune rune, StringBuilder output)
    {
        int cp = rune.Value;
        if (cp - HangulBase is >= 0 and < HangulCount)
        {
            // Hangul syllables decompose into two or three conjoining jamo (Unicode ch. 3.12); jamo are letters, not marks.
            int index = cp - HangulBase;
            output.Append((char)(0x1100 + (index / (21 * 28))));
            output.Append((char)(0x1161 + (index % (21 * 28) / 28)));
            if (index % 28 != 0)
            {
                output.Append((char)(0x11A7 + (index % 28)));
            }
        }
        else if (Decompositions.TryGetValue(cp, out string? stripped))
        {
            output.Append(stripped);
        }
        else if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark)
        {
            output.Append(rune.ToString());
        }
    }

    private static Dictionary<int, string> Parse()
    {
        var map = new Dictionary<int, string>(2100);
        int position = 0;
        while (position < Table.Length)
        {
            int end = Table.IndexOf('\0', position);
            Rune.DecodeFromUtf16(Table.AsSpan(position, end - position), out var key, out int used);
            map[key.Value] = Table.Substring(position + used, end - position - used);
            position = end + 1;
        }

        return map;
    }
}
