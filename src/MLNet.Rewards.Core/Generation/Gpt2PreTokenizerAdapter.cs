using Microsoft.ML.Tokenizers;
using MLNet.Rewards.Tokenization;

namespace MLNet.Rewards.Generation;

/// <summary>
/// Hands <see cref="Gpt2PreTokenizer"/>'s split to Microsoft.ML.Tokenizers. The library's own
/// <see cref="RegexPreTokenizer"/> with the GPT-2 pattern runs on .NET's <see cref="System.Text.RegularExpressions.Regex"/>,
/// which sees a letter outside the Basic Multilingual Plane (e.g. U+1D400 mathematical bold A) as two surrogates that are
/// neither letters nor digits, so "a𝐀" splits in two where the reference tokenizer keeps one pre-token; our scanner works
/// on Unicode scalar values and matches the reference.
/// </summary>
internal sealed class Gpt2PreTokenizerAdapter : ScanningPreTokenizer
{
    public static Gpt2PreTokenizerAdapter Instance { get; } = new();

    protected override List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Start, int Length)>();
        Gpt2PreTokenizer.Split(text, pieces);
        return pieces;
    }
}
