using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// BERT's WordPiece tokenizer, matching Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece: text cleaning
/// (control characters dropped, whitespace unified), spaces around CJK ideographs, accent stripping, lower-casing,
/// splitting on whitespace and punctuation, greedy longest-match-first word pieces with a continuation prefix, then
/// [CLS] ... [SEP] with truncation to <see cref="WordPieceTokenizerOptions.MaxLength"/>. Thread-safe.
/// </summary>
public sealed class WordPieceTokenizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieces;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    /// <summary>Creates a tokenizer over a vocabulary (token -> id).</summary>
    public WordPieceTokenizer(IReadOnlyDictionary<string, int> vocabulary, WordPieceTokenizerOptions options)
    {
        options.Validate();
        Options = options;
        _vocabulary = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in _vocabulary)
        {
            if (token.StartsWith(options.ContinuingSubwordPrefix, StringComparison.Ordinal))
            {
                continuations[token[options.ContinuingSubwordPrefix.Length..]] = id;
            }
        }

        _pieces = _vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        UnknownId = Id(options.UnknownToken);
        ClassifierId = Id(options.ClassifierToken);
        SeparatorId = Id(options.SeparatorToken);
        PaddingId = Id(options.PaddingToken);
    }

    /// <summary>The settings.</summary>
    public WordPieceTokenizerOptions Options { get; }

    /// <summary>The vocabulary: token -> id.</summary>
    public IReadOnlyDictionary<string, int> Vocabulary => _vocabulary;

    /// <summary>Number of tokens in the vocabulary.</summary>
    public int VocabularySize => _vocabulary.Count;

    /// <summary>Id of the unknown token.</summary>
    public int UnknownId { get; }

    /// <summary>Id of the token that starts every sequence.</summary>
    public int ClassifierId { get; }

    /// <summary>Id of the token that ends every sequence.</summary>
    public int SeparatorId { get; }

    /// <summary>Id of the padding token.</summary>
    public int PaddingId { get; }

    /// <summary>
    /// Loads vocab.txt (one token a line; the line number is the id) and the settings of a model folder
    /// (see <see cref="WordPieceTokenizerOptions.FromModelDirectory"/>).
    /// </summary>
    public static WordPieceTokenizer FromModelDirectory(string directory)
    {
        string vocabPath = Path.Combine(directory, "vocab.txt");
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"WordPiece vocabulary not found: {vocabPath}", vocabPath);
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        int id = 0;
        foreach (string line in File.ReadLines(vocabPath))
        {
            vocabulary.TryAdd(line.TrimEnd('\r'), id++);
        }

        return new WordPieceTokenizer(vocabulary, WordPieceTokenizerOptions.FromModelDirectory(directory));
    }

    /// <summary>The token ids of <paramref name="text"/>: [CLS], word pieces (truncated), [SEP].</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>(64) { ClassifierId };
        int budget = Options.MaxLength - 2;
        foreach (var word in Words(text))
        {
            if (ids.Count - 1 >= budget)
            {
                break;
            }

            AppendPieces(word.AsSpan(), ids, budget + 1);
        }

        ids.Add(SeparatorId);
        return [.. ids];
    }

    /// <summary>The word pieces of <paramref name="text"/> as strings, without special tokens or truncation (for inspection).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var ids = new List<int>();
        foreach (var word in Words(text))
        {
            AppendPieces(word.AsSpan(), ids, int.MaxValue);
        }

        var tokens = _vocabulary.ToDictionary(p => p.Value, p => p.Key);
        return [.. ids.Select(i => tokens[i])];
    }

    private int Id(string token) =>
        _vocabulary.TryGetValue(token, out int id) ? id : throw new InvalidDataException($"the special token '{token}' is not in the vocabulary");

    /// <summary>Greedy longest-match-first pieces of one word; the whole word becomes [UNK] if any part matches nothing.</summary>
    private void AppendPieces(ReadOnlySpan<char> word, List<int> ids, int limit)
    {
        int codePoints = word.Length - CountLowSurrogates(word);
        if (codePoints > Options.MaxInputCharsPerWord)
        {
            ids.Add(UnknownId);
            return;
        }

        int mark = ids.Count;
        int start = 0;
        while (start < word.Length)
        {
            int end = word.Length;
            int found = -1;
            while (end > start)
            {
                var piece = word[start..end];
                if ((start == 0 ? _pieces : _continuations).TryGetValue(piece, out int id))
                {
                    found = id;
                    break;
                }

                end--;
                if (end > start && char.IsLowSurrogate(word[end]))
                {
                    end--;
                }
            }

            if (found < 0)
            {
                ids.RemoveRange(mark, ids.Count - mark);
                ids.Add(UnknownId);
                break;
            }

            ids.Add(found);
            start = end;
        }

        if (ids.Count > limit)
        {
            ids.RemoveRange(limit, ids.Count - limit);
        }
    }

    private static int CountLowSurrogates(ReadOnlySpan<char> span)
    {
        int count = 0;
        foreach (char c in span)
        {
            if (char.IsLowSurrogate(c))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Normalises the text and splits it into words and single punctuation marks.</summary>
    private List<string> Words(string text)
    {
        string normalized = Normalize(text);
        var words = new List<string>();
        int start = -1;
        for (int i = 0; i < normalized.Length; i++)
        {
            char c = normalized[i];
            Rune rune = char.IsSurrogatePair(normalized, i) ? new Rune(c, normalized[i + 1]) : Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
            bool space = c < 0x80 ? c == ' ' : IsWhitespace(rune);
            bool punctuation = !space && (c < 0x80 ? IsAsciiPunctuation(c) : IsPunctuation(rune));
            if (space || punctuation)
            {
                if (start >= 0)
                {
                    words.Add(normalized[start..i]);
                    start = -1;
                }

                if (punctuation)
                {
                    words.Add(normalized.Substring(i, rune.Utf16SequenceLength));
                }
            }
            else if (start < 0)
            {
                start = i;
            }

            i += rune.Utf16SequenceLength - 1;
        }

        if (start >= 0)
        {
            words.Add(normalized[start..]);
        }

        return words;
    }

    /// <summary>BertNormalizer: clean, space out CJK, strip accents, lower-case. ASCII takes a fast path with the same result.</summary>
    private string Normalize(string text)
    {
        var output = new StringBuilder(text.Length + 8);
        Span<char> utf16 = stackalloc char[2];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                if (c is '\t' or '\n' or '\r' or ' ')
                {
                    output.Append(' ');
                }
                else if (c >= 0x20 && c != 0x7F)
                {
                    output.Append(Options.LowerCase && c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c);
                }

                continue;
            }

            Rune rune;
            if (char.IsSurrogatePair(text, i))
            {
                rune = new Rune(c, text[++i]);
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
            else if (Options.TokenizeChineseChars && IsChineseCharacter(rune.Value))
            {
                output.Append(' ').Append(utf16[..rune.EncodeToUtf16(utf16)]).Append(' ');
            }
            else if (Options.StripAccents)
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
        if (!Options.LowerCase)
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

    private static bool IsAsciiPunctuation(char c) => c is (>= (char)33 and <= (char)47) or (>= (char)58 and <= (char)64) or (>= (char)91 and <= (char)96) or (>= (char)123 and <= (char)126);

    /// <summary>Whitespace as Rust's char::is_whitespace (the Unicode White_Space property), which the Hugging Face tokenizers use.</summary>
    private static bool IsWhitespace(Rune rune) => rune.Value switch
    {
        '\t' or '\n' or '\r' or ' ' => true,
        0x0B or 0x0C or 0x85 or 0xA0 or 0x1680 or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        >= 0x2000 and <= 0x200A => true,
        _ => false,
    };

    /// <summary>Other (C*) categories except tab, newline and carriage return, which count as whitespace.</summary>
    private static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>ASCII punctuation (which includes symbols such as $ + &lt; = &gt; ^ ` |) and Unicode punctuation (P*).</summary>
    private static bool IsPunctuation(Rune rune)
    {
        if (rune.IsAscii)
        {
            return IsAsciiPunctuation((char)rune.Value);
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideograph blocks that BERT treats as single-character words.</summary>
    private static bool IsChineseCharacter(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
