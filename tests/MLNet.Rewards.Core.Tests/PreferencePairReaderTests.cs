using System.IO.Compression;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class PreferencePairReaderTests
{
    private const string Good = """{"id":"a","source":"s","prompt":"p","chosen":"c","rejected":"r"}""";

    [TestMethod]
    public void ReadsPlainJsonl()
    {
        string path = TestData.WriteLines([Good, "", """{"prompt":"p2","chosen":"c2","rejected":"r2"}"""]);
        var pairs = PreferencePairReader.ReadAll(path);
        Assert.HasCount(2, pairs);
        Assert.AreEqual(new PreferencePair("a", "s", "p", "c", "r"), pairs[0]);
        Assert.AreEqual(Path.GetFileNameWithoutExtension(path), pairs[1].Source, "a missing source defaults to the file name");
    }

    [TestMethod]
    public void ReadsGzip()
    {
        string path = TestData.TempPath(".jsonl.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        using (var writer = new StreamWriter(gzip))
        {
            writer.WriteLine(Good);
        }

        Assert.AreEqual("c", PreferencePairReader.ReadAll(path).Single().Chosen);
    }

    [TestMethod]
    [DataRow("""{"id":"a","prompt":"p","chosen":"c"}""", "field 'rejected' is missing")]
    [DataRow("""{"id":"a","prompt":"p","chosen":3,"rejected":"r"}""", "field 'chosen' must be a string, found Number")]
    [DataRow("""{"id":"a","prompt":"p",""", "not valid JSON")]
    [DataRow("""["p","c","r"]""", "expected a JSON object, found Array")]
    public void MalformedLineNamesFileLineAndProblem(string badLine, string problem)
    {
        string path = TestData.WriteLines([Good, Good, badLine]);
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path));
        Assert.AreEqual(path, error.Path);
        Assert.AreEqual(3, error.LineNumber);
        StringAssert.Contains(error.Message, $"{path}:3: {problem}");
    }

    [TestMethod]
    public void SkipOptionCountsBadLines()
    {
        string path = TestData.WriteLines([Good, "{oops", Good, """{"prompt":"p"}"""]);
        var stats = new ReadStatistics();
        var pairs = PreferencePairReader.ReadAll(path, new ReadOptions { SkipBadLines = true }, stats);
        Assert.HasCount(2, pairs);
        Assert.AreEqual(2, stats.Read);
        Assert.AreEqual(2, stats.Skipped);
        Assert.AreEqual(2, stats.SkippedExamples[0].Line);
        Assert.AreEqual(4, stats.SkippedExamples[1].Line);
    }

    [TestMethod]
    public void MissingFileIsAClearError()
    {
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll("/nonexistent/pairs.jsonl"));
        StringAssert.Contains(error.Message, "file not found");
    }

    [TestMethod]
    public void CorruptGzipIsAClearError()
    {
        string path = TestData.TempPath(".jsonl.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path));
        StringAssert.Contains(error.Message, "corrupt");
    }

    [TestMethod]
    public void ReadsTheSharedData()
    {
        var pairs = PreferencePairReader.ReadAll(SharedFiles.Data("llmbar.jsonl.gz"));
        Assert.HasCount(419, pairs);
        Assert.AreEqual(pairs.Count, pairs.Select(p => p.Id).Distinct().Count());
        Assert.IsTrue(pairs.All(p => p.Source.StartsWith("llmbar", StringComparison.Ordinal)));
    }
}
