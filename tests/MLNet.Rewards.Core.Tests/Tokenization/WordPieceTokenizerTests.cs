using MLNet.Rewards.Tokenization;

namespace MLNet.Rewards.Tests.Tokenization;

[TestClass]
public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<WordPieceTokenizer> MiniLm = new(() => WordPieceTokenizer.FromModelDirectory(MiniLmFixture.ModelDirectory));

    private static WordPieceTokenizer Tokenizer => MiniLm.Value;

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void ReadsItsSettingsFromTheModelFolder()
    {
        var options = Tokenizer.Options;
        Assert.IsTrue(options.LowerCase);
        Assert.IsTrue(options.StripAccents);
        Assert.IsTrue(options.TokenizeChineseChars);
        Assert.AreEqual(256, options.MaxLength);
        Assert.AreEqual(100, options.MaxInputCharsPerWord);
        Assert.AreEqual(30522, Tokenizer.VocabularySize);
        Assert.AreEqual((101, 102, 100, 0), (Tokenizer.ClassifierId, Tokenizer.SeparatorId, Tokenizer.UnknownId, Tokenizer.PaddingId));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void TokenIdsMatchSentenceTransformersOnEveryFixtureText()
    {
        var mismatches = MiniLmFixture.Items.Where(item => !Tokenizer.Encode(item.Text).SequenceEqual(item.InputIds)).ToList();
        Assert.AreEqual(257, MiniLmFixture.Items.Count);
        Assert.IsEmpty(mismatches, $"{mismatches.Count} texts differ, e.g. '{mismatches.FirstOrDefault()?.Text[..Math.Min(80, mismatches.FirstOrDefault()?.Text.Length ?? 0)]}'");
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void EmptyTextIsJustTheSpecialTokens()
    {
        CollectionAssert.AreEqual(new[] { 101, 102 }, Tokenizer.Encode(string.Empty));
        CollectionAssert.AreEqual(new[] { 101, 102 }, Tokenizer.Encode(" \t\r\n\u00A0\u200B"));
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void PunctuationIsSplitIntoSingleMarks()
    {
        CollectionAssert.AreEqual(new[] { "!", "?", "!", ".", ".", "." }, Tokenizer.Tokenize("!?! ...").ToArray());
        CollectionAssert.AreEqual(new[] { "don", "'", "t", "$", "5", "+", "3" }, Tokenizer.Tokenize("Don't $5+3").ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void AccentsAreStrippedAndTextLowerCased()
    {
        CollectionAssert.AreEqual(Tokenizer.Tokenize("cafe resume naive").ToArray(), Tokenizer.Tokenize("Café RÉSUMÉ naïve").ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void UnknownWordsBecomeOneUnknownTokenAndLongWordsToo()
    {
        CollectionAssert.AreEqual(new[] { "[UNK]" }, Tokenizer.Tokenize("\u2603").ToArray());
        CollectionAssert.AreEqual(new[] { "[UNK]" }, Tokenizer.Tokenize(new string('a', 101)).ToArray());
        Assert.IsGreaterThan(1, Tokenizer.Tokenize(new string('a', 100)).Count);
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void WordsSplitIntoPiecesWithTheContinuationPrefix()
    {
        CollectionAssert.AreEqual(new[] { "token", "##izer" }, Tokenizer.Tokenize("tokenizer").ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void CjkIdeographsAreSingleWordsAndEmojiAreUnknown()
    {
        CollectionAssert.AreEqual(new[] { "中", "文" }, Tokenizer.Tokenize("中文").ToArray());
        CollectionAssert.AreEqual(new[] { "hi", "[UNK]" }, Tokenizer.Tokenize("hi \U0001F600").ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void ControlCharactersAreDropped()
    {
        CollectionAssert.AreEqual(Tokenizer.Tokenize("ab").ToArray(), Tokenizer.Tokenize("a\u0000\u0007b\uFFFD").ToArray());
    }

    [TestMethod]
    [TestCategory("NeedsModels")]
    public void OverLongTextIsTruncatedToTheMaximumLengthWithTheSeparatorKept()
    {
        var ids = Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("hello world", 500)));
        Assert.HasCount(256, ids);
        Assert.AreEqual(101, ids[0]);
        Assert.AreEqual(102, ids[^1]);
    }
}
