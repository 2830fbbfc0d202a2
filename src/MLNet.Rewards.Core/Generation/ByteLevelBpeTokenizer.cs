using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// The byte-level BPE tokenizer of GPT-2-style models (SmolLM2, Llama 3, Qwen), read from a Hugging Face
/// <c>tokenizer.json</c>: added tokens are matched first (leftmost, longest), the text between them is split by the GPT-2
/// pattern, each piece's UTF-8 bytes are mapped to printable characters and merged by rank. No BOS or EOS is added.
/// </summary>
public sealed class ByteLevelBpeTokenizer
{
    private const int MaxCachedWords = 100_000;

    private readonly Dictionary<string, int> _vocabulary;
    private readonly string[] _tokens;
    private readonly Dictionary<long, (int Rank, int Merged)> _merges;
    private readonly int[] _byteTokens = new int[256];
    private readonly AddedToken[] _addedTokens;
    private readonly HashSet<int> _addedIds;
    private readonly ConcurrentDictionary<string, int[]> _wordCache = new(StringComparer.Ordinal);
    private readonly int _unknownId;

    private ByteLevelBpeTokenizer(Dictionary<string, int> vocabulary, List<(string Left, string Right)> merges, AddedToken[] addedTokens, string? unknownToken, string path)
    {
        _vocabulary = vocabulary;
        int size = Math.Max(vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1, addedTokens.Length == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
        _tokens = new string[size];
        foreach (var (token, id) in vocabulary)
        {
            _tokens[id] = token;
        }

        foreach (var added in addedTokens)
        {
            _tokens[added.Id] = added.Content;
        }

        // Vocabularies may omit bytes that never occur in their training text (0xC0, 0xF5..0xFF, some controls); those
        // become the unknown token, as in the reference.
        int known = 0;
        for (int b = 0; b < 256; b++)
        {
            if (vocabulary.TryGetValue(ByteLevelAlphabet.CharOf((byte)b).ToString(), out int id))
            {
                _byteTokens[b] = id;
                known++;
            }
            else
            {
                _byteTokens[b] = -1;
            }
        }

        if (known < 128)
        {
            throw new ModelFormatException(path, $"the vocabulary holds only {known} of the 256 byte-level symbols: not a byte-level BPE");
        }

        _unknownId = unknownToken is not null && vocabulary.TryGetValue(unknownToken, out int unk) ? unk : -1;

        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocabulary.TryGetValue(left, out int l) || !vocabulary.TryGetValue(right, out int r) || !vocabulary.TryGetValue(left + right, out int merged))
            {
                throw new ModelFormatException(path, $"merge {rank} ('{left}' '{right}') names a token that is not in the vocabulary");
            }

            _merges.TryAdd(Key(l, r), (rank, merged));
        }

        // Longest first, so that the first one found at a position is the longest (the reference's leftmost-longest match).
        _addedTokens = [.. addedTokens.OrderByDescending(t => t.Content.Length)];
        _addedIds = [.. addedTokens.Select(t => t.Id)];
    }

    /// <summary>Number of token ids (the model's vocabulary size).</summary>
    public int VocabularySize => _tokens.Length;

    /// <summary>The added (special) tokens by content, e.g. <c>&lt;|im_end|&gt;</c>.</summary>
    public IReadOnlyList<AddedToken> AddedTokens => _addedTokens;

    /// <summary>Reads <c>tokenizer.json</c> (Hugging Face tokenizers format, model type BPE with a ByteLevel pre-tokenizer).</summary>
    /// <exception cref="ModelFormatException">The file is missing, not JSON, or not a byte-level BPE tokenizer.</exception>
    public static ByteLevelBpeTokenizer Load(string tokenizerJsonPath)
    {
        if (!File.Exists(tokenizerJsonPath))
        {
            throw new ModelFormatException(tokenizerJsonPath, "tokenizer file not found");
        }

        try
        {
            using var stream = File.OpenRead(tokenizerJsonPath);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            var model = Property(root, "model", tokenizerJsonPath);
            string type = Property(model, "type", tokenizerJsonPath).GetString() ?? "";
            if (type != "BPE")
            {
                throw new ModelFormatException(tokenizerJsonPath, $"model.type is '{type}', expected 'BPE'");
            }

            if (!root.TryGetProperty("pre_tokenizer", out var pre) || !IsByteLevel(pre))
            {
                throw new ModelFormatException(tokenizerJsonPath, "pre_tokenizer is not ByteLevel: only byte-level BPE tokenizers are supported");
            }

            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in Property(model, "vocab", tokenizerJsonPath).EnumerateObject())
            {
                vocabulary[entry.Name] = entry.Value.GetInt32();
            }

            var merges = new List<(string, string)>();
            foreach (var merge in Property(model, "merges", tokenizerJsonPath).EnumerateArray())
            {
                merges.Add(ParseMerge(merge, merges.Count, tokenizerJsonPath));
            }

            var added = new List<AddedToken>();
            if (root.TryGetProperty("added_tokens", out var addedTokens))
            {
                foreach (var token in addedTokens.EnumerateArray())
                {
                    added.Add(new AddedToken(
                        Property(token, "id", tokenizerJsonPath).GetInt32(),
                        Property(token, "content", tokenizerJsonPath).GetString()!,
                        token.TryGetProperty("special", out var special) && special.GetBoolean()));
                }
            }

            string? unknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null;
            return new ByteLevelBpeTokenizer(vocabulary, merges, [.. added], unknown, tokenizerJsonPath);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(tokenizerJsonPath, $"not a valid tokenizer.json ({e.Message})", e);
        }
    }

    /// <summary>
    /// Encodes raw text as the reference tokenizer does: added-token strings in the text (e.g. <c>&lt;|im_start|&gt;</c>)
    /// become their ids. Use <see cref="EncodeOrdinary"/> for untrusted text.
    /// </summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        int start = 0;
        while (start < text.Length)
        {
            var (at, token) = FindAddedToken(text, start);
            if (token is null)
            {
                AppendOrdinary(text.AsSpan(start), ids);
                break;
            }

            AppendOrdinary(text.AsSpan(start, at - start), ids);
            ids.Add(token.Id);
            start = at + token.Content.Length;
        }

        return [.. ids];
    }

    /// <summary>Encodes text with every character taken literally: a special-token string becomes ordinary pieces.</summary>
    public int[] EncodeOrdinary(string text)
    {
        var ids = new List<int>();
        AppendOrdinary(text, ids);
        return [.. ids];
    }

    /// <summary>Appends the ids of <paramref name="text"/>, taken literally, to <paramref name="ids"/>.</summary>
    public void AppendOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var pieces = new List<(int Start, int Length)>();
        Gpt2PreTokenizer.Split(text, pieces);
        foreach (var (start, length) in pieces)
        {
            ids.AddRange(EncodeWord(text.Slice(start, length)));
        }
    }

    /// <summary>The id of a token string, e.g. <c>&lt;|im_end|&gt;</c>.</summary>
    /// <exception cref="KeyNotFoundException">No such token.</exception>
    public int TokenId(string token)
    {
        foreach (var added in _addedTokens)
        {
            if (added.Content == token)
            {
                return added.Id;
            }
        }

        return _vocabulary.TryGetValue(token, out int id) ? id : throw new KeyNotFoundException($"'{token}' is not a token of this tokenizer");
    }

    /// <summary>Whether <paramref name="id"/> is an added (special) token such as <c>&lt;|im_end|&gt;</c>.</summary>
    public bool IsAddedToken(int id) => _addedIds.Contains(id);

    /// <summary>Decodes ids to text; added tokens are written as their content unless <paramref name="skipAddedTokens"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipAddedTokens = false)
    {
        var bytes = new List<byte>();
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            AppendTokenBytes(id, bytes, text, skipAddedTokens);
        }

        text.Append(Encoding.UTF8.GetString([.. bytes]));
        return text.ToString();
    }

    /// <summary>
    /// Appends the UTF-8 bytes of token <paramref name="id"/> to <paramref name="bytes"/>; an added token first flushes the
    /// pending bytes into <paramref name="text"/> and then appends its content there (or nothing when skipped).
    /// </summary>
    internal void AppendTokenBytes(int id, List<byte> bytes, StringBuilder text, bool skipAddedTokens)
    {
        if ((uint)id >= (uint)_tokens.Length || _tokens[id] is null)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"not a token id (vocabulary size {_tokens.Length})");
        }

        if (_addedIds.Contains(id))
        {
            if (bytes.Count > 0)
            {
                text.Append(Encoding.UTF8.GetString([.. bytes]));
                bytes.Clear();
            }

            if (!skipAddedTokens)
            {
                text.Append(_tokens[id]);
            }

            return;
        }

        foreach (char c in _tokens[id])
        {
            bytes.Add(ByteLevelAlphabet.ByteOf(c));
        }
    }

    private (int At, AddedToken? Token) FindAddedToken(string text, int start)
    {
        int best = -1;
        AddedToken? bestToken = null;
        foreach (var token in _addedTokens)
        {
            int at = text.IndexOf(token.Content, start, StringComparison.Ordinal);
            if (at >= 0 && (best < 0 || at < best))
            {
                best = at;
                bestToken = token;
            }
        }

        return (best, bestToken);
    }

    private int[] EncodeWord(ReadOnlySpan<char> word)
    {
        string key = word.ToString();
        if (_wordCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        int byteCount = Encoding.UTF8.GetByteCount(word);
        Span<byte> utf8 = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        Encoding.UTF8.GetBytes(word, utf8);
        var symbols = new List<int>(byteCount);
        bool previousUnknown = false;
        foreach (byte b in utf8)
        {
            int id = _byteTokens[b];
            if (id >= 0)
            {
                symbols.Add(id);
                previousUnknown = false;
            }
            else if (!previousUnknown)
            {
                // Consecutive unknown bytes fuse into one unknown token (the reference's fuse_unk).
                symbols.Add(_unknownId >= 0 ? _unknownId : throw new ArgumentException($"the text holds byte 0x{b:X2}, which this vocabulary cannot encode and it has no unknown token"));
                previousUnknown = true;
            }
        }

        MergeByRank(symbols);
        int[] result = [.. symbols];
        if (_wordCache.Count < MaxCachedWords)
        {
            _wordCache.TryAdd(key, result);
        }

        return result;
    }

    /// <summary>Repeatedly merges the adjacent pair of lowest rank (leftmost first among equals) until none applies.</summary>
    private void MergeByRank(List<int> symbols)
    {
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue, bestAt = -1, bestMerged = 0;
            for (int i = 0; i + 1 < symbols.Count; i++)
            {
                if (_merges.TryGetValue(Key(symbols[i], symbols[i + 1]), out var merge) && merge.Rank < bestRank)
                {
                    (bestRank, bestAt, bestMerged) = (merge.Rank, i, merge.Merged);
                }
            }

            if (bestAt < 0)
            {
                return;
            }

            symbols[bestAt] = bestMerged;
            symbols.RemoveAt(bestAt + 1);
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static bool IsByteLevel(JsonElement pre)
    {
        if (pre.ValueKind != JsonValueKind.Object || !pre.TryGetProperty("type", out var type))
        {
            return false;
        }

        return type.GetString() switch
        {
            "ByteLevel" => true,
            "Sequence" => pre.TryGetProperty("pretokenizers", out var list) && list.EnumerateArray().Any(IsByteLevel),
            _ => false,
        };
    }

    private static (string, string) ParseMerge(JsonElement merge, int index, string path)
    {
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
        {
            return (merge[0].GetString()!, merge[1].GetString()!);
        }

        if (merge.ValueKind == JsonValueKind.String)
        {
            string text = merge.GetString()!;
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && space == text.LastIndexOf(' '))
            {
                return (text[..space], text[(space + 1)..]);
            }
        }

        throw new ModelFormatException(path, $"merge {index} is neither [\"left\", \"right\"] nor \"left right\"");
    }

    private static JsonElement Property(JsonElement element, string name, string path) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value
            : throw new ModelFormatException(path, $"missing '{name}'");
}

/// <summary>A token matched on the raw text before BPE (special tokens such as <c>&lt;|im_end|&gt;</c>).</summary>
/// <param name="Id">Its id.</param>
/// <param name="Content">The exact string it stands for.</param>
/// <param name="Special">Whether the tokenizer marks it special (skipped when decoding without special tokens).</param>
public sealed record AddedToken(int Id, string Content, bool Special);
