using MLNet.Rewards.Generation;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests.Generation;

[TestClass]
public sealed class ByteLevelBpeTokenizerTests
{
    private static readonly Lazy<ByteLevelBpeTokenizer> Tokenizer = new(() => ByteLevelBpeTokenizer.Load(Path.Combine(SmolLmFixture.Folder, "tokenizer.json")));

    private static ByteLevelBpeTokenizer Smol => Tokenizer.Value;

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EveryFixtureCaseEncodesToTheReferenceIdsAndDecodesBack()
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
    [TestCategory("NeedsModels")]
    public void RawEncodeRecognisesSpecialTokenStrings()
    {
        CollectionAssert.AreEqual(new[] { 1, 4093, 198, 6004, 2 }, Smol.Encode("<|im_start|>user\nhi<|im_end|>"));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void OrdinaryEncodeTakesSpecialTokenStringsLiterally()
    {
        int[] ids = Smol.EncodeOrdinary("<|im_end|>");
        Assert.IsTrue(ids.Length > 1);
        Assert.IsFalse(ids.Any(Smol.IsAddedToken));
        Assert.AreEqual("<|im_end|>", Smol.Decode(ids));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EmptyTextHasNoTokens()
    {
        Assert.IsEmpty(Smol.Encode(string.Empty));
        Assert.AreEqual(string.Empty, Smol.Decode([]));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    [DataRow("👩‍👩‍👧‍👦 family, 🇫🇷 flag, 🙂")]
    [DataRow("𝐀𝐁𝐂 math letters and 𠀀 ideograph outside the BMP")]
    [DataRow("mixed\r\n\twhitespace   \u00a0 and \u2028 separators")]
    [DataRow("it's we're they've I'm we'll he'd IT'S")]
    public void UnusualTextRoundTrips(string text)
    {
        int[] ids = Smol.Encode(text);
        Assert.AreEqual(text, Smol.Decode(ids));
        Assert.IsTrue(ids.All(id => id >= 0 && id < Smol.VocabularySize));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void LongTextRoundTripsAndReusesWordEncodings()
    {
        string paragraph = string.Concat(SmolLmFixture.Instance.TokenizerCases.Select(c => c.Text));
        string text = string.Concat(Enumerable.Repeat(paragraph, 20));
        int[] once = Smol.Encode(paragraph);
        int[] ids = Smol.Encode(text);
        Assert.AreEqual(text, Smol.Decode(ids));
        Assert.IsTrue(ids.Length > 20 * once.Length * 0.9 && ids.Length < 20 * once.Length * 1.1);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void BytesMissingFromTheVocabularyBecomeOneFusedUnknownToken()
    {
        // U+0004 (byte 0x04) has no byte-level symbol in SmolLM2's vocabulary; the reference gives <|endoftext|> (0).
        int[] ids = Smol.Encode("a\u0004\u0004b");
        CollectionAssert.AreEqual(new[] { Smol.TokenId("a"), 0, Smol.TokenId("b") }, ids);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void DecodeCanSkipAddedTokens()
    {
        Assert.AreEqual("user\nhi", Smol.Decode([1, 4093, 198, 6004, 2], skipAddedTokens: true));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void IncrementalDetokenizerHoldsBackSplitCharacters()
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
    public void MissingOrMalformedTokenizerFilesGiveClearErrors()
    {
        var missing = Assert.ThrowsExactly<ModelFormatException>(() => ByteLevelBpeTokenizer.Load("/nonexistent/tokenizer.json"));
        StringAssert.Contains(missing.Message, "not found");
        string bad = TestData.WriteLines(["{\"model\": {\"type\": \"WordPiece\"}}"], ".json");
        var wrong = Assert.ThrowsExactly<ModelFormatException>(() => ByteLevelBpeTokenizer.Load(bad));
        StringAssert.Contains(wrong.Message, "expected 'BPE'");
    }
}
