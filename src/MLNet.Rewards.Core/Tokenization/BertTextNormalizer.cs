using System.Text;
using Microsoft.ML.Tokenizers;
using static MLNet.Rewards.Tokenization.BertCharacterClasses;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// Hugging Face's BertNormalizer: control characters dropped, every whitespace character (tab, newline, carriage return
/// included) turned into a space, spaces around CJK ideographs, accents stripped, lower-cased.
/// </summary>
/// <remarks>
/// Kept on our side, measured on the 257 all-MiniLM-L6-v2 fixture texts: Microsoft.ML.Tokenizers 2.0.1's BertNormalizer
/// deletes \t \n \r instead of spacing them (so "tabs\tand" becomes one word), and its accent stripping
/// (<c>RemoveNonSpacingMarks</c>) relies on <see cref="string.Normalize(NormalizationForm)"/>, which does nothing under
/// InvariantGlobalization (this repository's setting): "é".Normalize(FormD) stays one character, so "café" stays
/// unknown. Our accent table (<see cref="AccentStripping"/>) works without ICU.
/// </remarks>
internal sealed class BertTextNormalizer : Normalizer
{
    private readonly bool _lowerCase;
    private readonly bool _stripAccents;
    private readonly bool _tokenizeChineseChars;

    public BertTextNormalizer(WordPieceTokenizerOptions options)
    {
        _lowerCase = options.LowerCase;
        _stripAccents = options.StripAccents;
        _tokenizeChineseChars = options.TokenizeChineseChars;
    }

    public override string Normalize(string original) => Normalize(original.AsSpan());

    /// <summary>ASCII takes a fast path with the same result.</summary>
    public override string Normalize(ReadOnlySpan<char> original)
    {
        var output = new StringBuilder(original.Length + 8);
        Span<char> utf16 = stackalloc char[2];
        for (int i = 0; i < original.Length; i++)
        {
            char c = original[i];
            if (c < 0x80)
            {
                if (c is '\t' or '\n' or '\r' or ' ')
                {
                    output.Append(' ');
                }
                else if (c >= 0x20 && c != 0x7F)
                {
                    output.Append(_lowerCase && c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c);
                }

                continue;
            }

            Rune rune;
            if (i + 1 < original.Length && char.IsSurrogatePair(c, original[i + 1]))
            {
                rune = new Rune(c, original[++i]);
            }
            else if (!Rune.TryCreate(c, out rune))
            {
                continue; // a lone surrogate: invalid UTF-16, dropped as the replacement character would be
            }

            if (rune.Value == 0xFFFD || IsControl(rune))
            {
                continue;
            }

            if (IsWhitespace(rune))
            {
                output.Append(' ');
            }
            else if (_tokenizeChineseChars && IsChineseCharacter(rune.Value))
            {
                output.Append(' ').Append(utf16[..rune.EncodeToUtf16(utf16)]).Append(' ');
            }
            else if (_stripAccents)
            {
                int from = output.Length;
                AccentStripping.Append(rune, output);
                LowerCase(output, from);
            }
            else
            {
                int from = output.Length;
                output.Append(utf16[..rune.EncodeToUtf16(utf16)]);
                LowerCase(output, from);
            }
        }

        return output.ToString();
    }

    private void LowerCase(StringBuilder output, int from)
    {
        if (!_lowerCase)
        {
            return;
        }

        int length = output.Length - from;
        Span<char> chars = length <= 64 ? stackalloc char[length] : new char[length];
        output.CopyTo(from, chars, length);
        output.Length = from;
        Span<char> lowered = length <= 64 ? stackalloc char[length] : new char[length];
        chars.ToLowerInvariant(lowered);
        output.Append(lowered);
    }
}
