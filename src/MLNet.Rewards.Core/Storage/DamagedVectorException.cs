namespace MLNet.Rewards.Storage;

/// <summary>
/// A vector read from an <see cref="EmbeddingStore"/> is damaged (its checksum does not match, or it holds NaN or
/// infinity). The message names the store, the vector's key and, when the reader knows them, the text and the id of the
/// record that holds the text. The store is left untouched.
/// </summary>
public sealed class DamagedVectorException : Exception
{
    /// <summary>Creates the exception for the vector under <paramref name="key"/> in the store at <paramref name="storePath"/>.</summary>
    public DamagedVectorException(string storePath, byte[] key, string problem, int index = -1, string? text = null, string? recordId = null)
        : base(Describe(storePath, key, problem, text, recordId))
    {
        StorePath = storePath;
        Key = key;
        Problem = problem;
        Index = index;
        Text = text;
        RecordId = recordId;
    }

    /// <summary>The store file.</summary>
    public string StorePath { get; }

    /// <summary>The vector's key.</summary>
    public IReadOnlyList<byte> Key { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }

    /// <summary>The position of the key in the request that read it, or -1.</summary>
    public int Index { get; }

    /// <summary>The text whose vector it is, when known.</summary>
    public string? Text { get; }

    /// <summary>The id of a record (e.g. a preference pair) that holds the text, when known.</summary>
    public string? RecordId { get; }

    /// <summary>The same error, naming the text.</summary>
    public DamagedVectorException WithText(string text) => new(StorePath, [.. Key], Problem, Index, text, RecordId);

    /// <summary>The same error, naming the record that holds the text.</summary>
    public DamagedVectorException WithRecordId(string recordId) => new(StorePath, [.. Key], Problem, Index, Text, recordId);

    private static string Describe(string storePath, byte[] key, string problem, string? text, string? recordId)
    {
        string record = recordId is null ? string.Empty : $" of record '{recordId}'";
        string quoted = text is null ? string.Empty : $" for the text \"{Excerpt(text)}\"";
        return $"{storePath}: the stored vector{record}{quoted} (key {Convert.ToHexStringLower(key)}) is damaged: {problem}. "
            + "The store was left untouched; move it aside and embed again, or restore a copy";
    }

    private static string Excerpt(string text)
    {
        const int Length = 60;
        string oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= Length ? oneLine : oneLine[..Length] + "…";
    }
}
