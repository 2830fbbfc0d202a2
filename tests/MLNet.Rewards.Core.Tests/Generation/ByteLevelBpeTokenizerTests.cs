using MLNet.Rewards.Generation;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class ByteLevelBpeTokenizerTests
{
    private static readonly Lazy<ByteLevelBpeTokenizer> Tokenizer = new(() => ByteLevelBpeTokenizer.Load(Path.Combine(SmolLmFixture.Folder, "tokenizer.json")));

    private static ByteLevelBpeTokenizer Smol => Tokenizer.Value;

    [TestMethod]
    public void Every_fixture_case_encodes_to_the_reference_ids_and_decodes_back()
    {
        var failures = new List<string>();
        foreach (var (text, ids) in SmolLmFixture.Instance.TokenizerCases)
        {
            int[] actual = Smol.Encode(text);
            if (!actual.SequenceEqual(ids))
            {
                failures.Add($"'{text[..Math.Min(40, text.Length)]}': expected [{string.Join(",", ids)}] got [{string.Join(",", actual)}]");
            }
            else if (Smol.Decode(actual) != text)
            {
                failures.Add($"'{text[..Math.Min(40, text.Length)]}' does not decode back");
            }
        }

        Assert.AreEqual(59, SmolLmFixture.Instance.TokenizerCases.Count);
        Assert.IsEmpty(failures, string.Join("\n", failures));
    }

    [TestMethod]
    public void Raw_encode_recognises_special_token_strings()
    {
        CollectionAssert.AreEqual(new[] { 1, 4093, 198, 6004, 2 }, Smol.Encode("<|im_start|>user\nhi<|im_end|>"));
    }

    [TestMethod]
    public void Ordinary_encode_takes_special_token_strings_literally()
    {
        int[] ids = Smol.EncodeOrdinary("<|im_end|>");
        Assert.IsTrue(ids.Length > 1);
        Assert.IsFalse(ids.Any(Smol.IsAddedToken));
        Assert.AreEqual("<|im_end|>", Smol.Decode(ids));
    }

    [TestMethod]
    public void Empty_text_has_no_tokens()
    {
        Assert.IsEmpty(Smol.Encode(string.Empty));
        Assert.AreEqual(string.Empty, Smol.Decode([]));
    }

    [TestMethod]
    [DataRow("👩‍👩‍👧‍👦 family, 🇫🇷 flag, 🙂")]
    [DataRow("𝐀𝐁𝐂 math letters and 𠀀 ideograph outside the BMP")]
    [DataRow("mixed\r\n\twhitespace   \u00a0 and \u2028 separators")]
    [DataRow("it's we're they've I'm we'll he'd IT'S")]
    public void Unusual_text_round_trips(string text)
    {
        int[] ids = Smol.Encode(text);
        Assert.AreEqual(text, Smol.Decode(ids));
        Assert.IsTrue(ids.All(id => id >= 0 && id < Smol.VocabularySize));
    }

    [TestMethod]
    public void Long_text_round_trips_and_reuses_word_encodings()
    {
        string paragraph = string.Concat(SmolLmFixture.Instance.TokenizerCases.Select(c => c.Text));
        string text = string.Concat(Enumerable.Repeat(paragraph, 20));
        int[] once = Smol.Encode(paragraph);
        int[] ids = Smol.Encode(text);
        Assert.AreEqual(text, Smol.Decode(ids));
        Assert.IsTrue(ids.Length > 20 * once.Length * 0.9 && ids.Length < 20 * once.Length * 1.1);
    }

    [TestMethod]
    public void Bytes_missing_from_the_vocabulary_become_one_fused_unknown_token()
    {
        // U+0004 (byte 0x04) has no byte-level symbol in SmolLM2's vocabulary; the reference gives <|endoftext|> (0).
        int[] ids = Smol.Encode("a\u0004\u0004b");
        CollectionAssert.AreEqual(new[] { Smol.TokenId("a"), 0, Smol.TokenId("b") }, ids);
    }

    [TestMethod]
    public void Decode_can_skip_added_tokens()
    {
        Assert.AreEqual("user\nhi", Smol.Decode([1, 4093, 198, 6004, 2], skipAddedTokens: true));
    }

    [TestMethod]
    public void Incremental_detokenizer_holds_back_split_characters()
    {
        string text = "emoji 🙂 ©®™ 这是一个测试 done";
        int[] ids = Smol.Encode(text);
        var stream = new IncrementalDetokenizer(Smol);
        var pieces = ids.Select(stream.Push).ToList();
        pieces.Add(stream.Flush());
        Assert.AreEqual(text, string.Concat(pieces));
        Assert.IsFalse(pieces.Any(p => p.Contains('\uFFFD', StringComparison.Ordinal)));
    }

    [TestMethod]
    public void Missing_or_malformed_tokenizer_files_give_clear_errors()
    {
        var missing = Assert.ThrowsExactly<ModelFormatException>(() => ByteLevelBpeTokenizer.Load("/nonexistent/tokenizer.json"));
        StringAssert.Contains(missing.Message, "not found");
        string bad = TestData.WriteLines(["{\"model\": {\"type\": \"WordPiece\"}}"], ".json");
        var wrong = Assert.ThrowsExactly<ModelFormatException>(() => ByteLevelBpeTokenizer.Load(bad));
        StringAssert.Contains(wrong.Message, "expected 'BPE'");
    }
}
