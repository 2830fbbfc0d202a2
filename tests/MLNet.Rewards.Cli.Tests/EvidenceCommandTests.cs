using System.Xml.Linq;
using MLNet.Rewards.Cli.Reporting;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class EvidenceCommandTests
{
    [TestMethod]
    public void ChartIsWellFormedSvgWithOneLinePerSeries()
    {
        var chart = new SvgLineChart { Title = "a < b & c", XLabel = "N", YLabel = "reward", LogX = true };
        chart.Series.Add(new ChartSeries("first", [new ChartPoint(2, 0.1, 0.05, 0.15), new ChartPoint(500, 0.7)]));
        chart.Series.Add(new ChartSeries("second", [new ChartPoint(2, -0.2), new ChartPoint(50, 0.3), new ChartPoint(500, 0.4)]));
        var svg = XDocument.Parse(chart.Render());
        XNamespace ns = "http://www.w3.org/2000/svg";

        Assert.HasCount(2, svg.Descendants(ns + "path"));
        Assert.HasCount(5, svg.Descendants(ns + "circle"));
        Assert.IsTrue(svg.Descendants(ns + "text").Any(t => t.Value == "a < b & c"));
        Assert.IsTrue(svg.Descendants(ns + "text").Any(t => t.Value == "second"));
    }

    [TestMethod]
    public void EmptyChartIsAnError() =>
        Assert.ThrowsExactly<InvalidOperationException>(() => new SvgLineChart { Title = "t", XLabel = "x", YLabel = "y" }.Render());

    [TestMethod]
    public void PrototypeHeadAndEnsembleTrainFromTheCommandLine()
    {
        string proto = CliProcess.TempPath(".zip"), ensemble = CliProcess.TempPath(".zip");
        try
        {
            string data = SharedFiles.Data("hh-harmless-train-sample.jsonl.gz");
            var (code, _, stderr) = CliProcess.Run(null, "train", "--data", data, "--head", "prototype", "--prototypes", "4", "--epochs", "2", "--buckets", "64", "--output", proto);
            Assert.AreEqual(0, code, stderr);
            (code, var stdout, stderr) = CliProcess.Run(null, "train-ensemble", "--data", data, "--head", "linear", "--members", "2", "--epochs", "2", "--buckets", "64", "--aggregation", "LowerConfidenceBound", "--output", ensemble, "--evaluate", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "mean-1std");
            StringAssert.Contains(stdout, "llmbar.jsonl.gz");

            // evaluate takes any reward model: the ensemble is scored by its saved aggregation.
            (code, stdout, stderr) = CliProcess.Run(null, "evaluate", "--model", ensemble, "--data", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(0, code, stderr);
            StringAssert.Contains(stdout, "llmbar.jsonl.gz");
            StringAssert.Contains(stdout, "419");

            // The embedding store belongs to the pairwise route; asking for it with an ensemble is a usage error.
            (code, _, stderr) = CliProcess.Run(null, "evaluate", "--model", ensemble, "--store", CliProcess.TempPath(".sqlite"), "--data", SharedFiles.Data("llmbar.jsonl.gz"));
            Assert.AreEqual(2, code, stderr);
            StringAssert.Contains(stderr, "reward-ensemble");
        }
        finally
        {
            File.Delete(proto);
            File.Delete(ensemble);
        }
    }

    [TestMethod]
    [DataRow("active-sim", "--labels", "0")]
    [DataRow("ensemble-bench", "--members", "1")]
    [DataRow("prototype-curve", "--seeds", "0")]
    [DataRow("train-ensemble", "--member", "7")]
    public void EvidenceCommandsRejectBadSettings(string command, string option, string value)
    {
        string[] args = command switch
        {
            "prototype-curve" => [command, "--data", Path.GetTempPath(), option, value, "--out", Path.GetTempPath()],
            "train-ensemble" => [command, "--data", SharedFiles.Data("llmbar.jsonl.gz"), "--aggregation", "Member", "--members", "3", option, value, "--output", CliProcess.TempPath(".zip")],
            _ => [command, option, value, "--out", Path.GetTempPath()],
        };
        var (code, _, stderr) = CliProcess.Run(null, args);
        Assert.AreEqual(2, code, stderr);
    }
}
