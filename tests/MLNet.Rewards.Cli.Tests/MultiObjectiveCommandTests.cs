using System.Globalization;
using System.Text.Json;
using MLNet.Rewards.Tests;

namespace MLNet.Rewards.Cli.Tests;

[TestClass]
public sealed class MultiObjectiveCommandTests
{
    private static readonly Lazy<string> Model = new(() =>
    {
        string config = WriteConfig($$"""
            {
              "featurizer": { "kind": "hashing", "buckets": 64 },
              "objectives": [
                { "name": "helpfulness", "kind": "regression", "data": {{Json(SharedFiles.Data("helpsteer-sample.jsonl.gz"))}} },
                { "name": "harmless", "kind": "preference", "data": [{{Json(SharedFiles.Data("hh-harmless-train-sample.jsonl.gz"))}}], "epochs": 2 },
                { "name": "length", "kind": "measured", "measure": "Words" }
              ],
              "combiner": { "data": [{{Json(SharedFiles.Data("hh-helpful-train-sample.jsonl.gz"))}}], "gateHiddenSizes": [8], "epochs": 2 },
              "seed": 3
            }
            """);
        string path = CliProcess.TempPath(".zip");
        var (code, stdout, stderr) = CliProcess.Run(null, "train-multi-objective", "--config", config, "--output", path);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, "default combination gate");
        return path;
    });

    [TestMethod]
    public void ScoreExplainPrintsObjectivesAndGateWeights()
    {
        string rows = """{"id":"x","prompt":"How do I boil an egg?","response":"Boil it for eight minutes."}""";
        var (code, stdout, stderr) = CliProcess.Run(rows, "score", "--model", Model.Value, "--explain");
        Assert.AreEqual(0, code, stderr);
        using var result = JsonDocument.Parse(stdout);
        var root = result.RootElement;
        Assert.AreEqual("x", root.GetProperty("id").GetString());
        Assert.AreEqual("gate", root.GetProperty("combination").GetString());
        CollectionAssert.AreEqual(new[] { "helpfulness", "harmless", "length" }, root.GetProperty("objectives").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.AreEqual(1.0, root.GetProperty("gateWeights").EnumerateObject().Sum(p => p.Value.GetDouble()), 1e-5);
        Assert.AreEqual(5.0, root.GetProperty("rawObjectives").GetProperty("length").GetDouble());
    }

    [TestMethod]
    public void EvaluateScoresPairsWithTheModelsOwnCombination()
    {
        (string Prompt, string Chosen, string Rejected)[] pairs =
        [
            ("How do I boil an egg?", "Put it in boiling water for eight minutes, then cool it in cold water.", "Eggs."),
            ("Name a colour.", "Blue.", "I would rather not say anything about colours at all, sorry."),
            ("What is 2 + 2?", "4", "It is 5, as everybody knows."),
        ];
        string data = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(data, pairs.Select(p => JsonSerializer.Serialize(new { prompt = p.Prompt, chosen = p.Chosen, rejected = p.Rejected })));
        string rows = string.Join('\n', pairs.SelectMany(p => new[] { (p.Prompt, p.Chosen), (p.Prompt, p.Rejected) })
            .Select(r => JsonSerializer.Serialize(new { prompt = r.Item1, response = r.Item2 })));
        var (code, stdout, stderr) = CliProcess.Run(rows, "score", "--model", Model.Value);
        Assert.AreEqual(0, code, stderr);
        var rewards = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("reward").GetDouble()).ToArray();
        double expected = Enumerable.Range(0, pairs.Length).Count(i => rewards[2 * i] > rewards[(2 * i) + 1]) / (double)pairs.Length;

        (code, stdout, stderr) = CliProcess.Run(null, "evaluate", "--model", Model.Value, "--data", data);
        Assert.AreEqual(0, code, stderr);
        StringAssert.Contains(stdout, $"| {expected.ToString("F3", CultureInfo.InvariantCulture)} [");
    }

    [TestMethod]
    public void CombineChoosesAScalarizerAtScoringTime()
    {
        var (code, stdout, stderr) = CliProcess.Run(null, "score", "--model", Model.Value, "--prompt", "Hi", "--response", "Hello there!", "--combine", "min", "--explain");
        Assert.AreEqual(0, code, stderr);
        using var result = JsonDocument.Parse(stdout);
        var root = result.RootElement;
        Assert.AreEqual("min", root.GetProperty("combination").GetString());
        Assert.IsFalse(root.TryGetProperty("gateWeights", out _));
        Assert.AreEqual(root.GetProperty("objectives").EnumerateObject().Min(p => p.Value.GetSingle()), root.GetProperty("reward").GetSingle());
    }

    [TestMethod]
    public void ExplainNeedsAMultiObjectiveModel()
    {
        string pairwise = CliProcess.TempPath(".zip");
        var (code, _, stderr) = CliProcess.Run(null, "train", "--data", SharedFiles.Data("hh-harmless-train-sample.jsonl.gz"), "--head", "linear", "--epochs", "1", "--buckets", "32", "--output", pairwise);
        Assert.AreEqual(0, code, stderr);
        (code, _, stderr) = CliProcess.Run(null, "score", "--model", pairwise, "--prompt", "p", "--response", "r", "--explain");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "--combine and --explain need a multi-objective model");
    }

    [TestMethod]
    public void BadCombinationIsAUsageError()
    {
        var (code, _, stderr) = CliProcess.Run(null, "score", "--model", Model.Value, "--prompt", "p", "--response", "r", "--combine", "linear:1,2");
        Assert.AreEqual(2, code);
        StringAssert.Contains(stderr, "the linear scalarizer has 2 weights but the model has 3 objectives");
    }

    [TestMethod]
    public void ConfigErrorsNameTheFileAndLine()
    {
        string config = WriteConfig("""
            {
              "objectives": [ { "name": "x", "kind": "measured" } ],
              "combiner": { "data": ["a.jsonl"], "gateHiddenSize": [8] }
            }
            """);
        var (code, _, stderr) = CliProcess.Run(null, "train-multi-objective", "--config", config, "--output", CliProcess.TempPath(".zip"));
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, $"{config}:3:");
        StringAssert.Contains(stderr, "gateHiddenSize");
    }

    [TestMethod]
    public void BadRatingFileIsABadInputErrorWithLine()
    {
        string ratings = CliProcess.TempPath(".jsonl");
        File.WriteAllLines(ratings, ["""{"prompt":"p","response":"r","ratings":{"helpfulness":3}}""", """{"prompt":"p","response":"r","ratings":{"helpfulness":"good"}}"""]);
        string config = WriteConfig($$"""
            { "objectives": [ { "name": "helpfulness", "kind": "regression", "data": {{Json(ratings)}} } ], "combiner": { "data": ["unused.jsonl"] } }
            """);
        var (code, _, stderr) = CliProcess.Run(null, "train-multi-objective", "--config", config, "--output", CliProcess.TempPath(".zip"));
        Assert.AreEqual(3, code);
        StringAssert.Contains(stderr, $"{ratings}:2: rating 'helpfulness' must be a finite number or null");
    }

    private static string Json(string text) => JsonSerializer.Serialize(text);

    private static string WriteConfig(string json)
    {
        string path = CliProcess.TempPath(".json");
        File.WriteAllText(path, json);
        return path;
    }
}
