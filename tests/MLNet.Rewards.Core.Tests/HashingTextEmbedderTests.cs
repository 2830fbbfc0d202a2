using System.Numerics.Tensors;
using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class HashingTextEmbedderTests
{
    private readonly HashingTextEmbedder _embedder = new(new HashingFeaturizerSpec { Buckets = 256 });

    [TestMethod]
    public void VectorsAreUnitLengthAndDeterministic()
    {
        var a = _embedder.Embed("The quick brown fox jumps over the lazy dog.");
        var b = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 256 }).Embed("The quick brown fox jumps over the lazy dog.");
        Assert.AreEqual(1f, TensorPrimitives.Norm(a), 1e-5f);
        CollectionAssert.AreEqual(a, b);
    }

    [TestMethod]
    public void EmptyTextIsTheZeroVector()
    {
        var v = _embedder.Embed("  ... !!! ");
        Assert.IsTrue(v.All(x => x == 0f));
    }

    [TestMethod]
    public void CaseAndPunctuationDoNotMatterButWordsDo()
    {
        var a = _embedder.Embed("Hello, World!");
        var b = _embedder.Embed("hello world");
        var c = _embedder.Embed("goodbye moon");
        Assert.AreEqual(1f, TensorPrimitives.Dot(a, b), 1e-5f);
        Assert.IsLessThan(0.5f, TensorPrimitives.Dot(a, c));
    }

    [TestMethod]
    public void TermFrequencyIsSublinear()
    {
        // Word unigrams only: "alpha" four times and "beta" once weigh 1 + ln 4 against 1 (raw counts would give 4 : 1).
        var words = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 1 << 16, MaxWordNgram = 1, MinCharNgram = 0 });
        var v = words.Embed("alpha alpha beta alpha alpha");
        var nonZero = v.Where(x => x != 0f).Select(MathF.Abs).OrderByDescending(x => x).ToArray();
        Assert.HasCount(2, nonZero);
        Assert.AreEqual(1 + MathF.Log(4), nonZero[0] / nonZero[1], 1e-5f);
    }

    [TestMethod]
    public void BatchEqualsOneByOne()
    {
        string[] texts = ["first text", "second, different text", "", "ünïcödé wörds 123"];
        var batch = _embedder.EmbedAll(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            CollectionAssert.AreEqual(_embedder.Embed(texts[i]), batch.Row(i).ToArray());
        }
    }

    [TestMethod]
    public void InvalidSettingsAreRejected()
    {
        Assert.ThrowsExactly<InvalidOptionException>(() => new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 1 }));
        Assert.ThrowsExactly<InvalidOptionException>(() => new HashingTextEmbedder(new HashingFeaturizerSpec { MinCharNgram = 4, MaxCharNgram = 3 }));
    }
}
