using MLNet.Rewards.Tokenization;

namespace MLNet.Rewards.Tests.Tokenization;

[TestClass]
public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<WordPieceTokenizer> MiniLm = new(() => WordPieceTokenizer.FromModelDirectory(MiniLmFixture.ModelDirectory));

    private static WordPieceTokenizer Tokenizer => MiniLm.Value;

    [TestMethod]
    public void Reads_its_settings_from_the_model_folder()
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
    public void Token_ids_match_sentence_transformers_on_every_fixture_text()
    {
        var mismatches = MiniLmFixture.Items.Where(item => !Tokenizer.Encode(item.Text).SequenceEqual(item.InputIds)).ToList();
        Assert.AreEqual(257, MiniLmFixture.Items.Count);
        Assert.IsEmpty(mismatches, $"{mismatches.Count} texts differ, e.g. '{mismatches.FirstOrDefault()?.Text[..Math.Min(80, mismatches.FirstOrDefault()?.Text.Length ?? 0)]}'");
    }

    [TestMethod]
    public void Empty_text_is_just_the_special_tokens()
    {
        CollectionAssert.AreEqual(new[] { 101, 102 }, Tokenizer.Encode(string.Empty));
        CollectionAssert.AreEqual(new[] { 101, 102 }, Tokenizer.Encode(" \t\r\n\u00A0\u200B"));
    }

    [TestMethod]
    public void Punctuation_is_split_into_single_marks()
    {
        CollectionAssert.AreEqual(new[] { "!", "?", "!", ".", ".", "." }, Tokenizer.Tokenize("!?! ...").ToArray());
        CollectionAssert.AreEqual(new[] { "don", "'", "t", "$", "5", "+", "3" }, Tokenizer.Tokenize("Don't $5+3").ToArray());
    }

    [TestMethod]
    public void Accents_are_stripped_and_text_lower_cased()
    {
        CollectionAssert.AreEqual(Tokenizer.Tokenize("cafe resume naive").ToArray(), Tokenizer.Tokenize("Café RÉSUMÉ naïve").ToArray());
    }

    [TestMethod]
    public void Unknown_words_become_one_unknown_token_and_long_words_too()
    {
        CollectionAssert.AreEqual(new[] { "[UNK]" }, Tokenizer.Tokenize("\u2603").ToArray());
        CollectionAssert.AreEqual(new[] { "[UNK]" }, Tokenizer.Tokenize(new string('a', 101)).ToArray());
        Assert.IsGreaterThan(1, Tokenizer.Tokenize(new string('a', 100)).Count);
    }

    [TestMethod]
    public void Words_split_into_pieces_with_the_continuation_prefix()
    {
        CollectionAssert.AreEqual(new[] { "token", "##izer" }, Tokenizer.Tokenize("tokenizer").ToArray());
    }

    [TestMethod]
    public void Cjk_ideographs_are_single_words_and_emoji_are_unknown()
    {
        CollectionAssert.AreEqual(new[] { "中", "文" }, Tokenizer.Tokenize("中文").ToArray());
        CollectionAssert.AreEqual(new[] { "hi", "[UNK]" }, Tokenizer.Tokenize("hi \U0001F600").ToArray());
    }

    [TestMethod]
    public void Control_characters_are_dropped()
    {
        CollectionAssert.AreEqual(Tokenizer.Tokenize("ab").ToArray(), Tokenizer.Tokenize("a\u0000\u0007b\uFFFD").ToArray());
    }

    [TestMethod]
    public void Over_long_text_is_truncated_to_the_maximum_length_with_the_separator_kept()
    {
        var ids = Tokenizer.Encode(string.Join(' ', Enumerable.Repeat("hello world", 500)));
        Assert.HasCount(256, ids);
        Assert.AreEqual(101, ids[0]);
        Assert.AreEqual(102, ids[^1]);
    }
}
