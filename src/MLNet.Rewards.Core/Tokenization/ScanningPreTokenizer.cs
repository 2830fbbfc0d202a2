using Microsoft.ML.Tokenizers;

namespace MLNet.Rewards.Tokenization;

/// <summary>A Microsoft.ML.Tokenizers pre-tokenizer over one of our hand-written scanners (string and span give the same split).</summary>
internal abstract class ScanningPreTokenizer : PreTokenizer
{
    public sealed override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => text is null ? [] : Split(text.AsSpan());

    public sealed override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    /// <summary>The (offset, length) of every pre-token, in UTF-16 units.</summary>
    protected abstract List<(int Offset, int Length)> Split(ReadOnlySpan<char> text);
}
