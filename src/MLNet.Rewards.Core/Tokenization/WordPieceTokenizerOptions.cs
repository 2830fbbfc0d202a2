using System.Text.Json;

namespace MLNet.Rewards.Tokenization;

/// <summary>
/// Settings of a <see cref="WordPieceTokenizer"/> (BERT's tokenizer). <see cref="FromModelDirectory"/> reads them from a
/// Hugging Face / sentence-transformers model folder; the defaults are bert-base-uncased's.
/// </summary>
internal sealed record WordPieceTokenizerOptions
{
    /// <summary>Lower-case the text (<c>do_lower_case</c>).</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>Strip accents (<c>strip_accents</c>; when the config leaves it null it follows <see cref="LowerCase"/>).</summary>
    public bool StripAccents { get; init; } = true;

    /// <summary>Put spaces around CJK ideographs so that each is its own word (<c>tokenize_chinese_chars</c>).</summary>
    public bool TokenizeChineseChars { get; init; } = true;

    /// <summary>Words longer than this (in code points) become the unknown token (<c>max_input_chars_per_word</c>).</summary>
    public int MaxInputCharsPerWord { get; init; } = 100;

    /// <summary>Prefix of word pieces that continue a word (<c>continuing_subword_prefix</c>).</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";

    /// <summary>Most tokens per text including the classifier and separator tokens; longer texts are truncated.</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>The unknown token.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The token that starts every sequence.</summary>
    public string ClassifierToken { get; init; } = "[CLS]";

    /// <summary>The token that ends every sequence.</summary>
    public string SeparatorToken { get; init; } = "[SEP]";

    /// <summary>The padding token.</summary>
    public string PaddingToken { get; init; } = "[PAD]";

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        OptionValidation.Require(MaxLength >= 3, nameof(MaxLength), MaxLength, "must be at least 3 (classifier, one piece, separator)");
        OptionValidation.Require(MaxInputCharsPerWord >= 1, nameof(MaxInputCharsPerWord), MaxInputCharsPerWord, "must be at least 1");
    }

    /// <summary>
    /// Reads the settings of a model folder: tokenizer_config.json (lower-casing, accents, CJK, special tokens),
    /// sentence_bert_config.json (max_seq_length) and tokenizer.json's WordPiece model (word length limit, prefix), each
    /// when present.
    /// </summary>
    public static WordPieceTokenizerOptions FromModelDirectory(string directory)
    {
        var options = new WordPieceTokenizerOptions();
        using var config = ModelConfigFile.Read(directory, "tokenizer_config.json");
        if (config is not null)
        {
            bool lower = Bool(config, "do_lower_case") ?? options.LowerCase;
            options = options with
            {
                LowerCase = lower,
                StripAccents = Bool(config, "strip_accents") ?? lower,
                TokenizeChineseChars = Bool(config, "tokenize_chinese_chars") ?? options.TokenizeChineseChars,
                UnknownToken = String(config, "unk_token") ?? options.UnknownToken,
                ClassifierToken = String(config, "cls_token") ?? options.ClassifierToken,
                SeparatorToken = String(config, "sep_token") ?? options.SeparatorToken,
                PaddingToken = String(config, "pad_token") ?? options.PaddingToken,
                MaxLength = Int(config, "model_max_length") is { } m and < 100_000 ? m : options.MaxLength,
            };
        }

        using var sentenceBert = ModelConfigFile.Read(directory, "sentence_bert_config.json");
        if (sentenceBert is not null && Int(sentenceBert, "max_seq_length") is { } maxSeq)
        {
            options = options with { MaxLength = maxSeq };
        }

        using var tokenizer = ModelConfigFile.Read(directory, "tokenizer.json");
        if (tokenizer is not null && tokenizer.RootElement.TryGetProperty("model", out var model))
        {
            options = options with
            {
                MaxInputCharsPerWord = model.TryGetProperty("max_input_chars_per_word", out var max) && max.ValueKind == JsonValueKind.Number ? max.GetInt32() : options.MaxInputCharsPerWord,
                ContinuingSubwordPrefix = model.TryGetProperty("continuing_subword_prefix", out var prefix) && prefix.ValueKind == JsonValueKind.String ? prefix.GetString()! : options.ContinuingSubwordPrefix,
            };
        }

        options.Validate();
        return options;
    }

    private static bool? Bool(JsonDocument d, string name) =>
        d.RootElement.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static int? Int(JsonDocument d, string name) =>
        d.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;

    private static string? String(JsonDocument d, string name) =>
        d.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
