using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace MLNet.Rewards.Pipelines.Tests;

/// <summary>Starts the sample scoring service (samples/RewardScoringService) on a free loopback port and calls it over HTTP.</summary>
[TestClass]
public sealed class ScoringServiceTests
{
    private sealed record ScoreReply(float[] Rewards);

    [TestMethod]
    public async Task ScoringService_ServesTheSameRewardsAsTheModel_ToConcurrentClients()
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
        string prompt = rows[0].Prompt;
        string[] responses = [rows[0].Response, rows[1].Response, "I can't help with that.", ""];
        var expected = model.Transform(ml.Data.LoadFromEnumerable(responses.Select(r => new ScoreRow { Prompt = prompt, Response = r })))
            .GetColumn<float>("Score").ToArray();
        Assert.AreNotEqual(expected[0], expected[2], "the model should not give every response the same reward");

        string modelPath = Fixtures.TempPath(".zip");
        ml.Model.Save(model, data.Schema, modelPath);
        int port = FreeLoopbackPort();
        using var service = StartService(modelPath, port);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            await WaitUntilHealthy(http, service);

            var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            {
                using var response = await http.PostAsJsonAsync("/score", new { prompt, responses });
                Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, await response.Content.ReadAsStringAsync());
                return (await response.Content.ReadFromJsonAsync<ScoreReply>())!;
            }));
            foreach (var reply in replies)
            {
                CollectionAssert.AreEqual(expected, reply.Rewards, "the service's rewards differ from the model's");
            }

            using var bad = await http.PostAsJsonAsync("/score", new { prompt, responses = Array.Empty<string>() });
            Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
            StringAssert.Contains(await bad.Content.ReadAsStringAsync(), "responses");
        }
        finally
        {
            if (!service.HasExited)
            {
                service.Kill(entireProcessTree: true);
                service.WaitForExit();
            }

            File.Delete(modelPath);
        }
    }

    private static Process StartService(string modelPath, int port)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { Fixtures.Artifact("RewardScoringService"), "--model", modelPath, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
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
