using System.Globalization;
using System.Text;

namespace MLNet.Rewards.Tokenization;

/// <summary>The character classes of Hugging Face's BertNormalizer and BertPreTokenizer (Rust's definitions, not .NET's).</summary>
internal static class BertCharacterClasses
{
    /// <summary>Whitespace as Rust's char::is_whitespace (the Unicode White_Space property), which the Hugging Face tokenizers use.</summary>
    public static bool IsWhitespace(Rune rune) => rune.Value switch
    {
        '\t' or '\n' or '\r' or ' ' => true,
        0x0B or 0x0C or 0x85 or 0xA0 or 0x1680 or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        >= 0x2000 and <= 0x200A => true,
        _ => false,
    };

    /// <summary>Other (C*) categories except tab, newline and carriage return, which count as whitespace.</summary>
    public static bool IsControl(Rune rune)
    {
        if (rune.Value is '\t' or '\n' or '\r')
        {
            return false;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>ASCII punctuation: every printable ASCII character that is not a letter, digit or space (so $ + &lt; = &gt; ^ ` | ~ too).</summary>
    public static bool IsAsciiPunctuation(char c) => c is (>= (char)33 and <= (char)47) or (>= (char)58 and <= (char)64) or (>= (char)91 and <= (char)96) or (>= (char)123 and <= (char)126);

    /// <summary>ASCII punctuation (which includes symbols such as $ + &lt; = &gt; ^ ` |) and Unicode punctuation (P*).</summary>
    public static bool IsPunctuation(Rune rune)
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
    public static bool IsChineseCharacter(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F)
            or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
