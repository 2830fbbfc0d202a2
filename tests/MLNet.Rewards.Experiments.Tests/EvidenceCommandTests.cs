using System.Xml.Linq;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Experiments.Tests;

[TestClass]
public sealed class EvidenceCommandTests
{
    private static Chart SampleChart()
    {
        var chart = new Chart { Title = "a < b & c", XLabel = "N", YLabel = "reward", LogX = true };
        chart.Series.Add(new ChartSeries("first", [new ChartPoint(2, 0.1, 0.05, 0.15), new ChartPoint(500, 0.7)]));
        chart.Series.Add(new ChartSeries("second", [new ChartPoint(2, -0.2, Label: "p1"), new ChartPoint(50, 0.3), new ChartPoint(500, 0.4)], ChartStyle.Markers));
        return chart;
    }

    [TestMethod]
    public void ChartSvgIsWellFormedAndNamesEverySeries()
    {
        var svg = XDocument.Parse(SampleChart().RenderSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";

        Assert.AreEqual(ns + "svg", svg.Root!.Name);
        Assert.AreEqual("720", svg.Root.Attribute("width")!.Value);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value.Trim()).ToList();
        CollectionAssert.Contains(texts, "a < b & c");
        CollectionAssert.Contains(texts, "first");
        CollectionAssert.Contains(texts, "second");
        CollectionAssert.Contains(texts, "p1");
        CollectionAssert.Contains(texts, "500");
        // five markers (two of "first", three of "second") plus the legend's two.
        Assert.AreEqual(7, svg.Descendants(ns + "ellipse").Count());
    }

    [TestMethod]
    public void ChartPngHasThePngSignatureAndTheChartSize()
    {
        byte[] png = SampleChart().RenderPng();

        CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.AreEqual("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.AreEqual(720, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.AreEqual(440, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [TestMethod]
    public void ReportWriterWritesSvgAndPng()
    {
        var folder = new DirectoryInfo(ExperimentsRun.TempPath(""));
        try
        {
            new ReportWriter(folder).Chart("curve", SampleChart());
            Assert.IsNotNull(XDocument.Load(Path.Combine(folder.FullName, "curve.svg")).Root);
            Assert.AreEqual(0x89, File.ReadAllBytes(Path.Combine(folder.FullName, "curve.png"))[0]);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void EmptyChartIsAnError()
    {
        var chart = new Chart { Title = "t", XLabel = "x", YLabel = "y" };
        Assert.ThrowsExactly<InvalidOperationException>(() => chart.RenderSvg());
        Assert.ThrowsExactly<InvalidOperationException>(() => chart.RenderPng());
    }

    [TestMethod]
    public void LogScaleChartRefusesANonPositiveX()
    {
        var chart = new Chart { Title = "t", XLabel = "x", YLabel = "y", LogX = true };
        chart.Series.Add(new ChartSeries("s", [new ChartPoint(0, 1)]));
        Assert.ThrowsExactly<InvalidOperationException>(() => chart.RenderSvg());
    }

    [TestMethod]
    [DataRow("active-sim", "--labels", "0", "--labels and --seeds must be at least 1")]
    [DataRow("ensemble-bench", "--members", "1", "--members must be at least 2")]
    [DataRow("prototype-curve", "--seeds", "0", "--seeds and --prototypes must be at least 1")]
    [DataRow("ranking-head", "--trees", "0", "--trees at least 1")]
    public void EvidenceCommandsRejectBadSettings(string command, string option, string value, string message)
    {
        // --out must differ from --data, or that check answers first and the setting is never looked at.
        string output = ExperimentsRun.TempPath("");
        string[] args = command switch
        {
            "prototype-curve" or "ranking-head" => [command, "--data", Path.GetTempPath(), option, value, "--out", output],
            _ => [command, option, value, "--out", output],
        };
        var (code, _, stderr) = ExperimentsRun.Run(args);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, message);
        Assert.IsFalse(Directory.Exists(output), "a refused run must not create its output folder");
    }

    [TestMethod]
    [DataRow("--cap", "0", "--cap must be at least 1")]
    [DataRow("--length", "Offset", "--length must be None or Balance")]
    public void RankingHeadNamesTheBadSetting(string option, string value, string message)
    {
        // The data folder has no shared files: the settings must be refused before any file is looked for.
        var (code, _, stderr) = ExperimentsRun.Run("ranking-head", "--data", Path.GetTempPath(), "--train", "Generalist", option, value, "--out", ExperimentsRun.TempPath(""));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, message);
    }

    [TestMethod]
    public void RankingHeadRefusesACapThatItsTrainingSetWouldIgnore()
    {
        var (code, _, stderr) = ExperimentsRun.Run("ranking-head", "--data", Path.GetTempPath(), "--train", "AlpacaEval", "--cap", "500", "--out", ExperimentsRun.TempPath(""));
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "--cap applies to --train Generalist only");
    }

    [TestMethod]
    public void EvidenceOutputFolderThatIsAFileIsAUsageError()
    {
        string file = ExperimentsRun.TempPath(".md");
        File.WriteAllText(file, "notes");
        var (code, _, stderr) = ExperimentsRun.Run("prototype-curve", "--out", file);
        Assert.AreEqual(2, code, stderr);
        StringAssert.Contains(stderr, "exists and is not a folder");
        Assert.AreEqual("notes", File.ReadAllText(file));
    }
}
