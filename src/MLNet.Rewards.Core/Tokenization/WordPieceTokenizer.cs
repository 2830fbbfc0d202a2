using System.Text;
using Microsoft.ML.Tokenizers;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// BERT's WordPiece tokenizer, matching Hugging Face's BertNormalizer + BertPreTokenizer + WordPiece: text cleaning
/// (control characters dropped, whitespace unified), spaces around CJK ideographs, accent stripping, lower-casing,
/// splitting on whitespace and punctuation, greedy longest-match-first word pieces with a continuation prefix, then
/// [CLS] ... [SEP] with truncation to <see cref="WordPieceTokenizerOptions.MaxLength"/>. Thread-safe.
/// </summary>
/// <remarks>
/// The word pieces, special tokens and truncation are Microsoft.ML.Tokenizers' <see cref="BertTokenizer"/>; the
/// normalizer (<see cref="BertTextNormalizer"/>) and pre-tokenizer (<see cref="BertPunctuationPreTokenizer"/>) are ours,
/// because the library's own give 220 of the 257 all-MiniLM-L6-v2 fixture texts here (each says why); with ours it
/// gives all 257.
/// </remarks>
internal sealed class WordPieceTokenizer
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly BertTokenizer _bert;

    /// <summary>Creates a tokenizer over a vocabulary (token -> id).</summary>
    /// <exception cref="InvalidDataException">A special token is missing from the vocabulary.</exception>
    public WordPieceTokenizer(IReadOnlyDictionary<string, int> vocabulary, WordPieceTokenizerOptions options)
    {
        options.Validate();
        Options = options;
        _vocabulary = new Dictionary<string, int>(vocabulary, StringComparer.Ordinal);
        UnknownId = Id(options.UnknownToken);
        ClassifierId = Id(options.ClassifierToken);
        SeparatorId = Id(options.SeparatorToken);
        PaddingId = Id(options.PaddingToken);
        using var vocabText = VocabularyFile(_vocabulary);
        _bert = BertTokenizer.Create(vocabText, new BertOptions
        {
            // The library's basic tokenization and lower-casing are replaced by our normalizer and pre-tokenizer.
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            Normalizer = new BertTextNormalizer(options),
            PreTokenizer = BertPunctuationPreTokenizer.Instance,
            UnknownToken = options.UnknownToken,
            ClassificationToken = options.ClassifierToken,
            SeparatorToken = options.SeparatorToken,
            PaddingToken = options.PaddingToken,
            ContinuingSubwordPrefix = options.ContinuingSubwordPrefix,
            MaxInputCharsPerWord = options.MaxInputCharsPerWord,
        });
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
        var ids = _bert.EncodeToIds(text, addSpecialTokens: false);
        int pieces = Math.Min(ids.Count, Options.MaxLength - 2);
        var result = new int[pieces + 2];
        result[0] = ClassifierId;
        for (int i = 0; i < pieces; i++)
        {
            result[i + 1] = ids[i];
        }

        result[^1] = SeparatorId;
        return result;
    }

    /// <summary>The word pieces of <paramref name="text"/> as strings, without special tokens or truncation (for inspection).</summary>
    public IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = _vocabulary.ToDictionary(p => p.Value, p => p.Key);
        return [.. _bert.EncodeToIds(text, addSpecialTokens: false).Select(i => tokens[i])];
    }

    private int Id(string token) =>
        _vocabulary.TryGetValue(token, out int id) ? id : throw new InvalidDataException($"the special token '{token}' is not in the vocabulary");

    /// <summary>The vocabulary as the library reads it: one token a line, the line number its id (gaps filled with lines no text can produce).</summary>
    private static MemoryStream VocabularyFile(Dictionary<string, int> vocabulary)
    {
        var byId = new string?[vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary)
        {
            byId[id] = id >= 0 ? token : throw new InvalidDataException($"the token '{token}' has a negative id ({id})");
        }

        var text = new StringBuilder();
        for (int id = 0; id < byId.Length; id++)
        {
            text.Append(byId[id] ?? $"\u0001unused{id}").Append('\n');
        }

        return new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
    }
}
