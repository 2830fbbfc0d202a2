using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Tests;

/// <summary>Starts the sample scoring service (samples/RewardScoringService) on a free loopback port and calls it over HTTP.</summary>
[TestClass]
public sealed class ScoringServiceTests
{
    private sealed record ScoreReply(float[] Rewards);

    private static string _modelPath = string.Empty;
    private static string _prompt = string.Empty;
    private static string[] _responses = [];
    private static float[] _expected = [];

    [ClassInitialize]
    public static void TrainModel(TestContext _)
    {
        var ml = new MLContext(seed: 1);
        var rows = Fixtures.TrainRows(Fixtures.Pairs(40));
        var data = ml.Data.LoadFromEnumerable(rows);
        var hashing = new HashingFeaturizerSpec { Buckets = 128 };
        var model = ml.Rewards().EmbedText("PromptEmbedding", "Prompt", hashing)
            .Append(ml.Rewards().EmbedText("ResponseEmbedding", "Response", hashing))
            .Append(ml.Rewards().PairwiseReward(new PairwiseRewardTrainerOptions
            {
                FeatureColumnName = "ResponseEmbedding",
                PromptFeatureColumnName = "PromptEmbedding",
                Trainer = new PairwiseTrainerOptions { Head = new LinearHeadSpec(), MaxEpochs = 3, Seed = 1 },
            }))
            .Fit(data);
        _prompt = rows[0].Prompt;
        _responses = [rows[0].Response, rows[1].Response, "I can't help with that.", ""];
        _expected = [.. model.Transform(ml.Data.LoadFromEnumerable(_responses.Select(r => new ScoreRow { Prompt = _prompt, Response = r })))
            .GetColumn<float>("Score")];
        _modelPath = Fixtures.TempPath(".zip");
        ml.Model.Save(model, data.Schema, _modelPath);
    }

    [ClassCleanup]
    public static void DeleteModel() => File.Delete(_modelPath);

    [TestMethod]
    public async Task ScoringServiceServesTheSameRewardsAsTheModelToConcurrentClients()
    {
        Assert.AreNotEqual(_expected[0], _expected[2], "the model should not give every response the same reward");
        await WithService([], async http =>
        {
            var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                using var response = await http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = _responses });
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
                return (await response.Content.ReadFromJsonAsync<ScoreReply>())!;
            }));
            foreach (var reply in replies)
            {
                CollectionAssert.AreEqual(_expected, reply.Rewards, "the service's rewards differ from the model's");
            }
        });
    }

    [TestMethod]
    [DataRow("random", DisplayName = "random bytes")]
    [DataRow("core", DisplayName = "a core (command-line) model zip")]
    [DataRow("zip", DisplayName = "a zip that is not a model")]
    [DataRow("missing", DisplayName = "a missing file")]
    public void ScoringServiceRefusesAModelFileItCannotServeAtStartUpWithExitCode3(string kind)
    {
        string path = Fixtures.TempPath(".zip");
        try
        {
            string expected = kind switch
            {
                "random" => WriteRandomBytes(path),
                "core" => WriteCoreModelZip(path),
                "zip" => WriteZipWithoutModel(path),
                _ => "no such file",
            };
            var (exitCode, output) = Fixtures.RunDotnet(Fixtures.Artifact("RewardScoringService"), "--model", path, "--port", FreeLoopbackPort().ToString(CultureInfo.InvariantCulture));
            Assert.AreEqual(3, exitCode, output);
            StringAssert.Contains(output, path, "the message names the file");
            StringAssert.Contains(output, expected);
            StringAssert.Contains(output, "ML.NET model zip", "the message says what was expected");
            Assert.IsFalse(output.Contains("   at ", StringComparison.Ordinal), $"a stack trace was printed:\n{output}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public async Task ScoringServiceAnswersProblemJsonForMalformedTooLargeAndOverLimitRequests()
    {
        await WithService(["--max-body-bytes", "4096", "--max-text-length", "100", "--max-responses", "4"], async http =>
        {
            await AssertProblem(await Post(http, "{\"prompt\": \"a\", \"responses\": ["), HttpStatusCode.BadRequest, "not valid JSON");
            await AssertProblem(await Post(http, "null"), HttpStatusCode.BadRequest, "JSON object");
            await AssertProblem(await http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = Array.Empty<string>() }), HttpStatusCode.BadRequest, "non-empty array");
            await AssertProblem(await http.PostAsJsonAsync("/score", new { responses = _responses }), HttpStatusCode.BadRequest, "'prompt' is required");
            await AssertProblem(await http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = new[] { "a", "b", "c", "d", "e" } }), HttpStatusCode.BadRequest, "at most 4 responses");
            await AssertProblem(await http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = new[] { "ok", new string('x', 101) } }), HttpStatusCode.BadRequest, "responses[1]");
            await AssertProblem(await http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = new[] { new string('x', 5000) } }), HttpStatusCode.RequestEntityTooLarge, "4096 bytes");

            using var fine = await http.PostAsJsonAsync("/score", new { prompt = "p", responses = new[] { new string('x', 100) } });
            Assert.AreEqual(HttpStatusCode.OK, fine.StatusCode, "a request at the limits is scored");
        });
    }

    [TestMethod]
    public async Task ScoringServiceAnswersProblemJson429WhenTheConcurrencyLimitAndQueueAreFull()
    {
        await WithService(["--max-concurrent-requests", "1", "--max-queued-requests", "0"], async http =>
        {
            string[] many = [.. Enumerable.Range(0, 256).Select(i => $"{_responses[0]} {i}")];
            var replies = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => http.PostAsJsonAsync("/score", new { prompt = _prompt, responses = many })));
            try
            {
                Assert.IsTrue(replies.All(r => r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests), string.Join(", ", replies.Select(r => r.StatusCode)));
                var rejected = replies.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
                Assert.IsNotEmpty(rejected, "32 concurrent requests with one slot and no queue: some must be refused");
                Assert.IsTrue(replies.Any(r => r.StatusCode == HttpStatusCode.OK), "one slot still serves");
                await AssertProblem(rejected[0], HttpStatusCode.TooManyRequests, "429");
            }
            finally
            {
                foreach (var reply in replies)
                {
                    reply.Dispose();
                }
            }
        });
    }

    /// <summary>
    /// The CI load test: 2,000 requests from 32 clients over loopback, every tenth malformed. Asserts the counts (every
    /// valid request 200, every malformed one a problem+json 400, no 5xx) and prints p50/p99; the latency bound is loose
    /// because the machine is shared.
    /// </summary>
    [TestMethod]
    public async Task ScoringServiceUnderLoadAnswersEveryValidRequest200AndEveryMalformedOne400WithNo5xx()
    {
        const int Requests = 2_000, Clients = 32;
        await WithService([], async http =>
        {
            var latencies = new double[Requests];
            var statuses = new HttpStatusCode[Requests];
            var problemJson = new bool[Requests];
            int next = -1;
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
            {
                for (int i = Interlocked.Increment(ref next); i < Requests; i = Interlocked.Increment(ref next))
                {
                    string body = IsMalformed(i)
                        ? (i % 20 == 0 ? "{\"prompt\": \"p\", \"responses\": [" : "{\"prompt\": \"p\", \"responses\": []}")
                        : JsonSerializer.Serialize(new { prompt = $"{_prompt} {i}", responses = new[] { $"{_responses[0]} {i}", "I can't help with that.", "Sure: step one.", "" } });
                    var clock = Stopwatch.StartNew();
                    using var response = await Post(http, body);
                    await response.Content.ReadAsByteArrayAsync();
                    latencies[i] = clock.Elapsed.TotalMilliseconds;
                    statuses[i] = response.StatusCode;
                    problemJson[i] = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                }
            }));
            wall.Stop();

            int malformed = Enumerable.Range(0, Requests).Count(IsMalformed);
            Assert.AreEqual(Requests / 10, malformed);
            Assert.AreEqual(0, statuses.Count(s => (int)s >= 500), "no 5xx");
            Assert.AreEqual(Requests - malformed, Enumerable.Range(0, Requests).Count(i => !IsMalformed(i) && statuses[i] == HttpStatusCode.OK), "every valid request is answered 200");
            Assert.AreEqual(malformed, Enumerable.Range(0, Requests).Count(i => IsMalformed(i) && statuses[i] == HttpStatusCode.BadRequest && problemJson[i]), "every malformed request is answered 400 with problem+json");
            Array.Sort(latencies);
            double p50 = latencies[Requests / 2], p99 = latencies[(int)(Requests * 0.99)];
            Console.WriteLine(FormattableString.Invariant($"load test: {Requests} requests from {Clients} clients in {wall.Elapsed.TotalSeconds:F1} s ({Requests / wall.Elapsed.TotalSeconds:F0}/s), p50 {p50:F1} ms, p99 {p99:F1} ms, max {latencies[^1]:F1} ms"));
            Assert.IsLessThan(5_000, p99, "p99 latency (a loose bound: the machine is shared)");
        });

        static bool IsMalformed(int i) => i % 10 == 0;
    }

    private static async Task WithService(string[] options, Func<HttpClient, Task> calls)
    {
        int port = FreeLoopbackPort();
        using var service = StartService(_modelPath, port, options);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            await WaitUntilHealthy(http, service);
            await calls(http);
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
                service.WaitForExit();
            }
        }
    }

    private static Task<HttpResponseMessage> Post(HttpClient http, string json) =>
        http.PostAsync("/score", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(status, response.StatusCode, body);
            Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType, body);
            using var problem = JsonDocument.Parse(body);
            Assert.AreEqual((int)status, problem.RootElement.GetProperty("status").GetInt32(), body);
            StringAssert.Contains(body, detail);
        }
    }

    private static string WriteRandomBytes(string path)
    {
        File.WriteAllBytes(path, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251))]);
        return "not a zip archive";
    }

    private static string WriteCoreModelZip(string path)
    {
        ModelArchive.Save(path, "RewardModel", new JsonObject { ["dimension"] = 2 }, []);
        return "mlnet-rewards score";
    }

    private static string WriteZipWithoutModel(string path)
    {
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            writer.Write("not a model");
        }

        return "not an ML.NET model zip";
    }

    private static Process StartService(string modelPath, int port, string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] arguments = [Fixtures.Artifact("RewardScoringService"), "--model", modelPath, "--port", port.ToString(CultureInfo.InvariantCulture), .. options];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task WaitUntilHealthy(HttpClient http, Process service)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (service.HasExited)
            {
                Assert.Fail($"the service exited with code {service.ExitCode}: {await service.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var health = await http.GetAsync("/health");
                if (health.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        Assert.Fail("the service did not answer /health within 60 s");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
