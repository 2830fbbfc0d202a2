using System.Diagnostics;
using System.Text.Json;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

/// <summary><c>score</c> on stdin: results stream row by row, carry the row's id, and bad rows can be skipped.</summary>
[TestClass]
public sealed class ScoreStreamTests
{
    private static readonly Lazy<string> Model = new(() =>
    {
        string path = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.Run(null, "train", "--data", SharedFiles.Data("hh-harmless-train-sample.jsonl.gz"), "--head", "linear", "--epochs", "1", "--buckets", "64", "--output", path);
        Assert.AreEqual(0, code, stderr);
        return path;
    });

    [TestMethod]
    public void TheFirstResultIsPrintedBeforeStdinIsClosed()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "mlnet-rewards.dll"), "score", "--model", Model.Value })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.WriteLine("""{"id":"first","prompt":"How do I boil an egg?","response":"Boil it for eight minutes."}""");
            process.StandardInput.Flush();
            var firstLine = process.StandardOutput.ReadLineAsync();
            Assert.IsTrue(firstLine.Wait(TimeSpan.FromSeconds(60)), "a result came back while stdin was still open");
            using (var first = JsonDocument.Parse(firstLine.Result!))
            {
                Assert.AreEqual("first", first.RootElement.GetProperty("id").GetString());
            }

            process.StandardInput.WriteLine("""{"id":2,"prompt":"Hi","response":"Hello!"}""");
            process.StandardInput.Close();
            using (var second = JsonDocument.Parse(process.StandardOutput.ReadLine()!))
            {
                Assert.AreEqual(2, second.RootElement.GetProperty("id").GetInt32(), "a numeric id is echoed as a number");
            }

            Assert.IsTrue(process.WaitForExit(TimeSpan.FromSeconds(60)));
            Assert.AreEqual(0, process.ExitCode, stderr.Result);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [TestMethod]
    public void BadRowsAreSkippedWithTheirLineNumbersAndTheOthersScored()
    {
        string rows = """
            {"id":"a","prompt":"p","response":"one"}
            not json
            {"id":"b","prompt":"p"}
            {"id":"c","prompt":"p","response":"three"}
            """;
        var (code, stdout, stderr) = CliProcess.Run(rows, "score", "--model", Model.Value, "--skip-bad-lines");
        Assert.AreEqual(0, code, stderr);
        var ids = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()).ToList();
        CollectionAssert.AreEqual(new[] { "a", "c" }, ids);
        StringAssert.Contains(stderr, "<stdin>:2: not valid JSON");
        StringAssert.Contains(stderr, "<stdin>:3: field 'response' is missing");
        StringAssert.Contains(stderr, "skipped 2 malformed line(s): 2, 3");
    }

    [TestMethod]
    public void WithoutSkippingABadRowStopsAfterTheResultsBeforeIt()
    {
        var (code, stdout, stderr) = CliProcess.Run("{\"id\":\"a\",\"prompt\":\"p\",\"response\":\"r\"}\n{\"prompt\":\"a\"}\n{\"id\":\"c\",\"prompt\":\"p\",\"response\":\"r\"}\n", "score", "--model", Model.Value);
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, "<stdin>:2: field 'response' is missing");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.HasCount(1, lines, "the result of the row before the bad one was printed");
        StringAssert.Contains(lines[0], "\"id\":\"a\"");
    }
}
