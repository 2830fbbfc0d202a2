using System.Text;
using static MLNet.Rewards.Tokenization.BertCharacterClasses;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// Hugging Face's BertPreTokenizer: splits on whitespace and makes every punctuation character its own word, where
/// punctuation is all ASCII non-alphanumerics plus Unicode P* (so $ + &lt; = &gt; ^ ` | ~ count).
/// </summary>
/// <remarks>
/// Kept on our side, measured on the 257 all-MiniLM-L6-v2 fixture texts: Microsoft.ML.Tokenizers 2.0.1's BertTokenizer
/// splits with a regex that yields only word characters and \p{P}, so it silently drops ASCII symbols ($+&lt;&gt;=^`|~)
/// and emoji, which the reference keeps (as pieces or [UNK]).
/// </remarks>
internal sealed class BertPunctuationPreTokenizer : ScanningPreTokenizer
{
    public static BertPunctuationPreTokenizer Instance { get; } = new();

    protected override List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var words = new List<(int, int)>();
        int start = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            Rune rune = i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]) ? new Rune(c, text[i + 1]) : Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
            int width = char.IsHighSurrogate(c) && rune.Value > 0xFFFF ? 2 : 1;
            bool space = c < 0x80 ? c == ' ' : IsWhitespace(rune);
            bool punctuation = !space && (c < 0x80 ? IsAsciiPunctuation(c) : IsPunctuation(rune));
            if (space || punctuation)
            {
                if (start >= 0)
                {
                    words.Add((start, i - start));
                    start = -1;
                }

                if (punctuation)
                {
                    words.Add((i, width));
                }
            }
            else if (start < 0)
            {
                start = i;
            }

            i += width - 1;
        }

        if (start >= 0)
        {
            words.Add((start, text.Length - start));
        }

        return words;
    }
}
