using System.IO.Compression;
using System.Text;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.Tests;

/// <summary>Data files cut short or holding bytes that are not UTF-8 (issue 14, items 1 and 2).</summary>
[TestClass]
public sealed class TruncatedAndInvalidDataTests
{
    private static readonly ReadOptions Skip = new() { SkipBadLines = true };

    private static string Line(int i) => $$"""{"id":"p{{i}}","prompt":"prompt {{i}}","chosen":"chosen answer {{i}}","rejected":"rejected {{i}}"}""";

    private static byte[] Lines(int count) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, count).Select(i => Line(i) + "\n")));

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    private static string WriteFile(byte[] bytes, string extension)
    {
        string path = TestData.TempPath(extension);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestMethod]
    public void GzipCutAtALineBoundaryIsTruncatedEvenWhenSkippingBadLines()
    {
        // A sync flush after 40 lines ends the deflate data on a line boundary; the bytes up to there are a file cut
        // exactly between two lines, which GZipStream alone reads as a complete 40-line file.
        using var buffer = new MemoryStream();
        var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true);
        gzip.Write(Lines(40));
        gzip.Flush();
        string path = WriteFile(buffer.ToArray(), ".jsonl.gz");
        gzip.Dispose();

        foreach (var options in new[] { ReadOptions.Default, Skip })
        {
            var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path, options));
            Assert.AreEqual(path, error.Path);
            StringAssert.Contains(error.Message, "truncated");
        }
    }

    [TestMethod]
    public void GzipCutMidLineIsTruncatedNotASkippableBadLine()
    {
        byte[] whole = Gzip(Lines(100));
        string path = WriteFile(whole[..(whole.Length / 2)], ".jsonl.gz");
        var stats = new ReadStatistics();
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path, Skip, stats));
        StringAssert.Contains(error.Message, path);
        StringAssert.Contains(error.Message, "truncated");
        Assert.AreEqual(0, stats.Skipped, "the cut line is not counted as a bad line");
    }

    [TestMethod]
    public void GzipWithAWrongCrcIsAnError()
    {
        byte[] bytes = Gzip(Lines(10));
        bytes[^8] ^= 0x01;
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(WriteFile(bytes, ".jsonl.gz"), Skip));
        StringAssert.Contains(error.Message, "CRC-32");
    }

    [TestMethod]
    public void ConcatenatedGzipMembersAreReadWhole()
    {
        byte[] first = Gzip(Lines(3)), second = Gzip(Encoding.UTF8.GetBytes(Line(3) + "\n" + Line(4)));
        var pairs = PreferencePairReader.ReadAll(WriteFile([.. first, .. second], ".jsonl.gz"));
        CollectionAssert.AreEqual(new[] { "p0", "p1", "p2", "p3", "p4" }, pairs.Select(p => p.Id).ToArray());
    }

    [TestMethod]
    public void GzipSpanningManyReadChunksIsReadWhole()
    {
        // Large enough that the deflate data ends deep inside a later input chunk, with incompressible text.
        var random = new Random(7);
        var lines = Enumerable.Range(0, 3000).Select(i => $$"""{"id":"p{{i}}","prompt":"{{random.NextInt64():x}}","chosen":"{{random.NextInt64():x}}","rejected":"r"}""");
        byte[] content = Encoding.UTF8.GetBytes(string.Join("\n", lines));
        Assert.HasCount(3000, PreferencePairReader.ReadAll(WriteFile(Gzip(content), ".jsonl.gz")));
    }

    [TestMethod]
    public void InvalidUtf8IsReportedOnItsLineWithItsColumn()
    {
        byte[] bad = Encoding.UTF8.GetBytes("""{"prompt":"p""");
        byte[] content = [.. Lines(5), .. bad, 0xFF, .. Encoding.UTF8.GetBytes("\",\"chosen\":\"c\",\"rejected\":\"r\"}\n"), .. Lines(2)];
        string path = WriteFile(content, ".jsonl");
        var error = Assert.ThrowsExactly<DataFormatException>(() => PreferencePairReader.ReadAll(path));
        Assert.AreEqual(6, error.LineNumber);
        StringAssert.Contains(error.Message, $"{path}:6: not valid UTF-8 (byte 0xFF at column {bad.Length + 1})");

        var stats = new ReadStatistics();
        var pairs = PreferencePairReader.ReadAll(path, Skip, stats);
        Assert.HasCount(7, pairs);
        Assert.AreEqual(1, stats.Skipped);
        Assert.AreEqual(6, stats.SkippedExamples[0].Line);
    }

    [TestMethod]
    public void InvalidUtf8InsideAGzipFileIsSkippableToo()
    {
        byte[] content = [.. Lines(5), 0xC3, 0x28, (byte)'\n', .. Lines(1)];
        var stats = new ReadStatistics();
        Assert.HasCount(6, PreferencePairReader.ReadAll(WriteFile(Gzip(content), ".jsonl.gz"), Skip, stats));
        Assert.AreEqual(6, stats.SkippedExamples.Single().Line);
    }

    [TestMethod]
    public void ByteOrderMarkAndCrLfAreAccepted()
    {
        byte[] content = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Line(0) + "\r\n" + Line(1) + "\r\n\r\n")];
        var pairs = PreferencePairReader.ReadAll(WriteFile(content, ".jsonl"));
        CollectionAssert.AreEqual(new[] { "p0", "p1" }, pairs.Select(p => p.Id).ToArray());
    }

    [TestMethod]
    public void Utf16FileWithAByteOrderMarkIsStillRead()
    {
        string path = WriteFile([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Line(0) + "\n" + Line(1))], ".jsonl");
        CollectionAssert.AreEqual(new[] { "p0", "p1" }, PreferencePairReader.ReadAll(path).Select(p => p.Id).ToArray());
    }
}
