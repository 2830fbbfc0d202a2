using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Experiments.Reporting;
using MLNet.Rewards.Featurization;

namespace MLNet.Rewards.Experiments.Commands;

/// <summary>
/// <c>bench-embed</c>: throughput of the sentence encoder (texts/s) against ONNX Runtime alone on the same pre-tokenised,
/// length-sorted batches, in one run, for the fp32 and int8 model files; and each file's agreement with the
/// sentence-transformers reference embeddings of the parity fixture.
/// </summary>
internal static class BenchEmbedCommand
{
    private const string Name = "bench-embed";

    public static Command Create()
    {
        var modelDirectory = new Option<DirectoryInfo>("--model-dir") { Description = $"Sentence-encoder model folder; default {FeaturizerOptions.DefaultModelDirectory}." };
        var texts = new Option<FileInfo>("--texts") { Description = "JSONL(.gz) of {\"text\": ...} lines; default the model folder's bench-texts.jsonl.gz." };
        var threads = SharedOptions.Threads("ONNX Runtime intra-op threads.", 2);
        var batchSize = new Option<int>("--batch-size") { Description = "Texts per encoder run.", DefaultValueFactory = _ => 64 };
        var limit = new Option<int>("--limit") { Description = "Use only the first N texts (0 = all), for a quick check.", DefaultValueFactory = _ => 0 };
        var output = ReportWriter.OutputOption(Name);
        var files = new Option<string[]>("--model-files") { Description = "ONNX files of the folder to compare.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => ["model.onnx", "model-int8.onnx"] };
        var command = new Command(Name, "Benchmark the sentence encoder: texts/s of the full pipeline (tokenise, batch, encode, pool) against ONNX Runtime alone on the same batches, per model file, and cosine to the reference embeddings.")
        {
            modelDirectory, texts, threads, batchSize, limit, files, output,
        };
        command.SetAction((parse, cancel) =>
        {
            string directory = FeaturizerOptions.ResolveModelDirectory(parse.GetValue(modelDirectory));
            string textsPath = parse.GetValue(texts)?.FullName ?? Path.Combine(directory, "bench-texts.jsonl.gz");
            var all = JsonLinesFile.Read(textsPath, line => JsonLinesFile.RequiredString(line, "text")).ToList();
            int n = parse.GetValue(limit) is > 0 and var l ? Math.Min(l, all.Count) : all.Count;
            var sample = all.GetRange(0, n);
            var fixture = ReadFixture(Path.Combine(directory, "fixture.json"));
            string setup = $"{n:N0} texts from {textsPath}; {parse.GetValue(threads)} ONNX Runtime threads, batches of {parse.GetValue(batchSize)}; {Environment.ProcessorCount} cores; load average at start {LoadAverage()}";
            Console.Error.WriteLine(setup);

            var table = ResultTables.Create("model file", ">tokens", ">tokenise s", ">ONNX Runtime alone texts/s", ">full pipeline texts/s", ">overhead", ">cosine to reference: mean", ">min");
            foreach (string file in parse.GetValue(files)!)
            {
                cancel.ThrowIfCancellationRequested();
                var spec = OnnxSentenceFeaturizerSpec.FromModelDirectory(directory, file) with { Threads = parse.GetValue(threads), BatchSize = parse.GetValue(batchSize) };
                using var embedder = new OnnxSentenceEmbedder(spec);
                var result = Measure(embedder, sample, cancel);
                var (mean, min) = fixture.Count > 0 ? Agreement(embedder, fixture) : (double.NaN, double.NaN);
                table.AddPlainRow([
                    file,
                    result.Tokens.ToString("N0", CultureInfo.InvariantCulture),
                    result.Tokenise.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture),
                    (n / result.OnnxAlone.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture),
                    (n / result.Full.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture),
                    ((result.Full.TotalSeconds / result.OnnxAlone.TotalSeconds) - 1).ToString("P1", CultureInfo.InvariantCulture),
                    ResultTables.Number(mean, "F5"),
                    ResultTables.Number(min, "F5"),
                ]);
                Console.Error.WriteLine($"{file}: full {result.Full.TotalSeconds:F1} s, ONNX Runtime alone {result.OnnxAlone.TotalSeconds:F1} s");
            }

            new ReportWriter(parse.GetValue(output)!).Table(Name, $"{setup}; load average at end {LoadAverage()}. Overhead = full pipeline time / ONNX Runtime alone - 1 (tokenisation, batching, tensor marshalling, pooling, normalisation).", table);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private sealed record Timing(long Tokens, TimeSpan Tokenise, TimeSpan OnnxAlone, TimeSpan Full);

    /// <summary>
    /// Times the full pipeline and ONNX Runtime alone on identical batches, batch by batch, alternating which goes first,
    /// so that changes in machine load affect both about equally. "Full" embeds the batch's texts from scratch
    /// (tokenise, pad, encode, pool, normalise); "alone" only runs the encoder on the same batch's ready-made tensors.
    /// </summary>
    private static Timing Measure(OnnxSentenceEmbedder embedder, List<string> texts, CancellationToken cancel)
    {
        embedder.Embed(texts.Take(8).ToList(), new float[8 * embedder.Dimension]);
        var clock = Stopwatch.StartNew();
        var ids = embedder.Tokenize(texts);
        var tokenise = clock.Elapsed;
        long tokens = ids.Sum(i => (long)i.Length);
        var batches = OnnxSentenceEmbedder.PlanBatches(ids, ((OnnxSentenceFeaturizerSpec)embedder.Spec).BatchSize);
        var destination = new float[((OnnxSentenceFeaturizerSpec)embedder.Spec).BatchSize * embedder.Dimension];
        TimeSpan full = TimeSpan.Zero, alone = TimeSpan.Zero;
        for (int b = 0; b < batches.Count; b++)
        {
            cancel.ThrowIfCancellationRequested();
            var batchTexts = batches[b].Rows.Select(r => texts[r]).ToList();
            using var inputs = embedder.CreateInputs(ids, batches[b]);
            for (int step = 0; step < 2; step++)
            {
                clock.Restart();
                if ((step == 0) == (b % 2 == 0))
                {
                    embedder.Embed(batchTexts, destination);
                    full += clock.Elapsed;
                }
                else
                {
                    using var outputs = embedder.RunEncoder(inputs);
                    alone += clock.Elapsed;
                }
            }
        }

        return new Timing(tokens, tokenise, alone, full);
    }

    private static (double Mean, double Min) Agreement(OnnxSentenceEmbedder embedder, List<(string Text, float[] Embedding)> fixture)
    {
        var vectors = embedder.EmbedAll([.. fixture.Select(f => f.Text)]);
        var cosines = fixture.Select((f, i) => (double)TensorPrimitives.CosineSimilarity(vectors.Row(i), f.Embedding)).ToList();
        return (cosines.Average(), cosines.Min());
    }

    private static List<(string Text, float[] Embedding)> ReadFixture(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        return [.. document.RootElement.GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("text").GetString()!, e.GetProperty("embedding").EnumerateArray().Select(x => x.GetSingle()).ToArray()))];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
