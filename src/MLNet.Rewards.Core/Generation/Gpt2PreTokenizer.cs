using System.Buffers;
using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Splits text into pre-tokens exactly as GPT-2's pattern
/// <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c> does, scanned by hand over Unicode
/// scalar values. A .NET <see cref="System.Text.RegularExpressions.Regex"/> would see a letter outside the Basic
/// Multilingual Plane as two surrogate code units that are neither letters nor digits; the reference (Rust) tokenizer
/// sees one letter, and so does this scanner.
/// </summary>
internal static class Gpt2PreTokenizer
{
    private enum Kind
    {
        Letter,
        Number,
        Space,
        Other,
    }

    /// <summary>Appends (start, length), in UTF-16 units, of each pre-token of <paramref name="text"/> to <paramref name="pieces"/>.</summary>
    public static void Split(ReadOnlySpan<char> text, List<(int Start, int Length)> pieces)
    {
        int i = 0;
        while (i < text.Length)
        {
            int length = MatchAt(text, i);
            pieces.Add((i, length));
            i += length;
        }
    }

    private static int MatchAt(ReadOnlySpan<char> text, int start)
    {
        int contraction = ContractionLength(text, start);
        if (contraction > 0)
        {
            return contraction;
        }

        // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional single U+0020, then a run of one class.
        int body = text[start] == ' ' && start + 1 < text.Length ? start + 1 : start;
        var (kind, width) = Classify(text, body);
        if (kind != Kind.Space)
        {
            int end = body + width;
            while (end < text.Length)
            {
                var (next, nextWidth) = Classify(text, end);
                if (next != kind)
                {
                    break;
                }

                end += nextWidth;
            }

            return end - start;
        }

        // "\s+(?!\S)" then "\s+": a whitespace run; when non-whitespace follows, the last whitespace character is left to
        // start the next pre-token (unless the run is a single character).
        int runEnd = start;
        int lastWidth = 0;
        while (runEnd < text.Length)
        {
            var (k, w) = Classify(text, runEnd);
            if (k != Kind.Space)
            {
                break;
            }

            runEnd += w;
            lastWidth = w;
        }

        int runLength = runEnd - start;
        if (runEnd < text.Length && runLength > lastWidth)
        {
            return runLength - lastWidth;
        }

        return runLength;
    }

    private static int ContractionLength(ReadOnlySpan<char> text, int start)
    {
        if (text[start] != '\'' || start + 1 >= text.Length)
        {
            return 0;
        }

        char a = text[start + 1];
        if (a is 's' or 't' or 'm' or 'd')
        {
            return 2;
        }

        if (start + 2 < text.Length)
        {
            char b = text[start + 2];
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l'))
            {
                return 3;
            }
        }

        return 0;
    }

    private static (Kind Kind, int Width) Classify(ReadOnlySpan<char> text, int index)
    {
        if (Rune.DecodeFromUtf16(text[index..], out var rune, out int width) != OperationStatus.Done)
        {
            // A lone surrogate: the reference replaces it by U+FFFD, which is "other".
            return (Kind.Other, 1);
        }

        if (Rune.IsWhiteSpace(rune))
        {
            return (Kind.Space, width);
        }

        var category = Rune.GetUnicodeCategory(rune);
        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => (Kind.Letter, width),
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => (Kind.Number, width),
            _ => (Kind.Other, width),
        };
    }
}
