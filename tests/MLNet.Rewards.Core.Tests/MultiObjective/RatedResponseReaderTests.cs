using MLNet.Rewards.Data;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests.MultiObjective;

[TestClass]
public sealed class RatedResponseReaderTests
{
    [TestMethod]
    public void ReadsTheSharedHelpSteerSample()
    {
        var rows = RatedResponseReader.ReadAll(SharedFiles.Data("helpsteer-sample.jsonl.gz"));
        Assert.AreEqual(500, rows.Count);
        CollectionAssert.AreEquivalent(new[] { "helpfulness", "correctness", "coherence", "complexity", "verbosity" }, rows[0].Ratings.Keys.ToArray());
        Assert.AreEqual(3f, rows[0].Rating("helpfulness"));
        Assert.AreEqual("helpsteer", rows[0].Source);
    }

    [TestMethod]
    public void NullAndAbsentRatingsAreNaN()
    {
        string path = TestData.WriteLines(["{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":2.5,\"b\":null}}"]);
        try
        {
            var row = RatedResponseReader.ReadAll(path).Single();
            Assert.AreEqual(2.5f, row.Rating("a"));
            Assert.IsTrue(float.IsNaN(row.Rating("b")));
            Assert.IsTrue(float.IsNaN(row.Rating("never-rated")));
            Assert.AreEqual(PreferencePairReader.DefaultSourceName(path) + "-1", row.Id);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    [DataRow("{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":\"high\"}}", "rating 'a' must be a finite number or null, found the string \"high\"")]
    [DataRow("{\"prompt\":\"p\",\"response\":\"r\"}", "field 'ratings' is missing")]
    [DataRow("{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":[1,2]}", "field 'ratings' must be an object")]
    [DataRow("{\"prompt\":\"p\",\"ratings\":{}}", "field 'response' is missing")]
    [DataRow("{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":1", "not valid JSON")]
    public void BadLinesNameFileLineAndProblem(string badLine, string expected)
    {
        string good = "{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":1}}";
        string path = TestData.WriteLines([good, "", badLine]);
        try
        {
            var e = Assert.ThrowsExactly<DataFormatException>(() => RatedResponseReader.ReadAll(path));
            Assert.AreEqual(3, e.LineNumber);
            StringAssert.StartsWith(e.Message, $"{path}:3: ");
            StringAssert.Contains(e.Message, expected);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void SkipBadLinesCountsThem()
    {
        string path = TestData.WriteLines(["{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":1}}", "{\"prompt\":\"p\",\"response\":\"r\",\"ratings\":{\"a\":true}}"]);
        try
        {
            var stats = new ReadStatistics();
            var rows = RatedResponseReader.ReadAll(path, new ReadOptions { SkipBadLines = true }, stats);
            Assert.AreEqual(1, rows.Count);
            Assert.AreEqual(1, stats.Skipped);
            Assert.AreEqual(2, stats.SkippedExamples[0].Line);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
