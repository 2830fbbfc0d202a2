using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Generation;

/// <summary>
/// The byte-level BPE tokenizer of GPT-2-style models (SmolLM2, Llama 3, Qwen), read from a Hugging Face
/// <c>tokenizer.json</c>: a thin adapter over Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/> (byte level, the
/// tokenizer.json's vocabulary, merges and added tokens, the unknown token fused). Added tokens are matched first, the text
/// between them is split by the GPT-2 pattern and merged by rank. No BOS or EOS is added.
/// </summary>
internal sealed class ByteLevelBpeTokenizer
{
    // Two library tokenizers over one vocabulary: one that recognises the added-token strings (for trusted text such as a
    // rendered template) and one that has no added tokens at all, so that message content can never produce one.
    private readonly BpeTokenizer _withAddedTokens;
    private readonly BpeTokenizer _ordinary;
    private readonly Dictionary<string, int> _vocabulary;
    private readonly string[] _tokens;
    private readonly AddedToken[] _addedTokens;
    private readonly HashSet<int> _addedIds;

    private ByteLevelBpeTokenizer(Dictionary<string, int> vocabulary, List<string> merges, AddedToken[] addedTokens, string? unknownToken, string path)
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

        int known = Enumerable.Range(0, 256).Count(b => vocabulary.ContainsKey(ByteLevelAlphabet.CharOf((byte)b).ToString()));
        if (known < 128)
        {
            throw new ModelFormatException(path, $"the vocabulary holds only {known} of the 256 byte-level symbols: not a byte-level BPE");
        }

        _addedTokens = [.. addedTokens.OrderByDescending(t => t.Content.Length)];
        _addedIds = [.. addedTokens.Select(t => t.Id)];
        var special = addedTokens.ToDictionary(t => t.Content, t => t.Id, StringComparer.Ordinal);
        try
        {
            _withAddedTokens = Create(vocabulary, merges, unknownToken, special);
            _ordinary = Create(vocabulary, merges, unknownToken, specialTokens: null);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new ModelFormatException(path, $"not a usable byte-level BPE ({e.Message})", e);
        }
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

            var merges = new List<string>();
            foreach (var merge in Property(model, "merges", tokenizerJsonPath).EnumerateArray())
            {
                merges.Add(ParseMerge(merge, merges.Count, vocabulary, tokenizerJsonPath));
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
    public int[] Encode(string text) => [.. _withAddedTokens.EncodeToIds(text)];

    /// <summary>Encodes text with every character taken literally: a special-token string becomes ordinary pieces.</summary>
    public int[] EncodeOrdinary(string text) => [.. _ordinary.EncodeToIds(text)];

    /// <summary>Appends the ids of <paramref name="text"/>, taken literally, to <paramref name="ids"/>.</summary>
    public void AppendOrdinary(ReadOnlySpan<char> text, List<int> ids)
    {
        if (!text.IsEmpty)
        {
            ids.AddRange(_ordinary.EncodeToIds(text));
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
    /// <exception cref="ArgumentOutOfRangeException">An id is not a token of this vocabulary.</exception>
    public string Decode(IEnumerable<int> ids, bool skipAddedTokens = false)
    {
        var list = ids as IReadOnlyCollection<int> ?? [.. ids];
        foreach (int id in list)
        {
            CheckId(id);
        }

        return _withAddedTokens.Decode(list, considerSpecialTokens: !skipAddedTokens) ?? string.Empty;
    }

    /// <summary>
    /// Appends the UTF-8 bytes of token <paramref name="id"/> to <paramref name="bytes"/>; an added token first flushes the
    /// pending bytes into <paramref name="text"/> and then appends its content there (or nothing when skipped).
    /// </summary>
    /// <remarks>
    /// Kept on our side: the library decodes whole id sequences to text and exposes no per-token bytes, which streaming
    /// needs to hold back a character split over several tokens (<see cref="IncrementalDetokenizer"/>).
    /// </remarks>
    internal void AppendTokenBytes(int id, List<byte> bytes, StringBuilder text, bool skipAddedTokens)
    {
        CheckId(id);
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

    private void CheckId(int id)
    {
        if ((uint)id >= (uint)_tokens.Length || _tokens[id] is null)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"not a token id (vocabulary size {_tokens.Length})");
        }
    }

    private static BpeTokenizer Create(Dictionary<string, int> vocabulary, List<string> merges, string? unknownToken, Dictionary<string, int>? specialTokens) =>
        BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges,
            SpecialTokens = specialTokens,
            PreTokenizer = specialTokens is null
                ? Gpt2PreTokenizerAdapter.Instance
                : new CompositePreTokenizer([Gpt2PreTokenizerAdapter.Instance], specialTokens),
            ByteLevel = true,
            UnknownToken = unknownToken is not null && vocabulary.ContainsKey(unknownToken) ? unknownToken : null,

            // Consecutive bytes missing from the vocabulary become one unknown token, as the reference's fuse_unk.
            FuseUnknownTokens = true,
        });

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

    /// <summary>A merge as the library takes it ("left right"), checked against the vocabulary.</summary>
    private static string ParseMerge(JsonElement merge, int index, Dictionary<string, int> vocabulary, string path)
    {
        (string Left, string Right)? pair = null;
        if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2)
        {
            pair = (merge[0].GetString()!, merge[1].GetString()!);
        }
        else if (merge.ValueKind == JsonValueKind.String)
        {
            string text = merge.GetString()!;
            int space = text.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && space == text.LastIndexOf(' '))
            {
                pair = (text[..space], text[(space + 1)..]);
            }
        }

        if (pair is not { } p)
        {
            throw new ModelFormatException(path, $"merge {index} is neither [\"left\", \"right\"] nor \"left right\"");
        }

        if (!vocabulary.ContainsKey(p.Left) || !vocabulary.ContainsKey(p.Right) || !vocabulary.ContainsKey(p.Left + p.Right))
        {
            throw new ModelFormatException(path, $"merge {index} ('{p.Left}' '{p.Right}') names a token that is not in the vocabulary");
        }

        return p.Left + " " + p.Right;
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
internal sealed record AddedToken(int Id, string Content, bool Special);
