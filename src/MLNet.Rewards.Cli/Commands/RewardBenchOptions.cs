using System.CommandLine;
using System.Globalization;
using MLNet.Rewards.Data;
using MLNet.Rewards.Evaluation;

namespace MLNet.Rewards.Cli.Commands;

/// <summary>
/// The RewardBench options of <c>evaluate</c>: v1 section scores over a pair file's sources, the v2 best-of-N rule
/// over a per-item score file, and writing a model's per-item scores so both rules can be fed from one run.
/// </summary>
internal sealed class RewardBenchOptions
{
    private readonly List<(string Name, RewardBenchV1Report Report)> _reports = [];
    private readonly List<ItemScores> _itemScores = [];

    public Option<bool> V1 { get; } = new("--rewardbench")
    {
        Description = "Also report RewardBench v1 scores: strict accuracy per subset (source; ties are wrong), Chat/Chat Hard/Safety/Reasoning section scores (subset accuracies weighted by pair count) and their mean. Subsets no section names are listed apart.",
    };

    public Option<bool> V2 { get; } = new("--rewardbench-v2")
    {
        Description = "Report RewardBench v2 best-of-N scores from --scores: an item scores 1 when its correct response (the first score) is strictly highest, 1/k when it ties with k-1 others at the top, else 0.",
    };

    public Option<FileInfo> Sections { get; } = new("--sections")
    {
        Description = "A JSON section map for --rewardbench: {\"sections\": {\"Chat\": [\"alpacaeval-easy\", ...], ...}, \"weights\": {\"math-prm\": 984}} (weights optional). Default: RewardBench v1's.",
    };

    public Option<FileInfo> Scores { get; } = new("--scores")
    {
        Description = "Per-item scores as JSONL ({\"id\", \"subset\", \"scores\": [correct, wrong, ...]}) to score with --rewardbench (2 scores an item) or --rewardbench-v2, instead of a model and data.",
    };

    public Option<FileInfo> WriteScores { get; } = OutputTargets.Written(new Option<FileInfo>("--write-scores")
    {
        Description = "Write the model's per-item scores on the --data files as JSONL ({\"id\", \"subset\": source, \"scores\": [chosen, rejected]}), for --scores later.",
    });

    public IEnumerable<Option> All => [V1, V2, Sections, Scores, WriteScores];

    /// <summary>Scores a --scores file with the rules asked for; refuses options that need a model.</summary>
    public void RunOnScoreFile(ParseResult parse, FileInfo scores)
    {
        if (!parse.GetValue(V1) && !parse.GetValue(V2))
        {
            throw new UsageException("--scores needs --rewardbench or --rewardbench-v2");
        }

        if (parse.GetValue(WriteScores) is not null)
        {
            throw new UsageException("--write-scores needs a model and --data, not --scores");
        }

        var items = ItemScoresFile.Read(scores.FullName);
        if (parse.GetValue(V1))
        {
            RewardBenchV1Report report;
            try
            {
                report = V1Scorer(parse).Score(items);
            }
            catch (ArgumentException e)
            {
                throw new DataFormatException(scores.FullName, 0, e.Message, e);
            }

            WriteV1(scores.Name, report);
        }

        if (parse.GetValue(V2))
        {
            WriteV2(scores.Name, new RewardBenchV2().Score(items));
        }
    }

    /// <summary>After a model has scored one --data file: keeps its item scores and v1 report, when asked for, for <see cref="Finish"/>.</summary>
    public void AddPairs(ParseResult parse, string name, IReadOnlyList<PreferencePair> pairs, float[] chosen, float[] rejected)
    {
        if (parse.GetValue(WriteScores) is not null)
        {
            _itemScores.AddRange(ItemScores.FromPairs(pairs, chosen, rejected));
        }

        if (parse.GetValue(V1))
        {
            _reports.Add((name, V1Scorer(parse).Score(pairs, chosen, rejected)));
        }
    }

    /// <summary>Writes the --write-scores file and prints the v1 reports kept by <see cref="AddPairs"/>, one per --data file.</summary>
    public void Finish(ParseResult parse)
    {
        if (parse.GetValue(WriteScores) is { } output)
        {
            ItemScoresFile.Write(output.FullName, _itemScores);
        }

        foreach (var (name, report) in _reports)
        {
            WriteV1(name, report);
        }
    }

    /// <summary>Refuses combinations that need --scores, before any model is loaded.</summary>
    public void CheckModelRun(ParseResult parse)
    {
        if (parse.GetValue(V2))
        {
            throw new UsageException("--rewardbench-v2 scores best-of-N items from --scores (a pair file has only one wrong response an item)");
        }
    }

    private RewardBenchV1 V1Scorer(ParseResult parse)
    {
        var map = parse.GetValue(Sections);
        return new RewardBenchV1(map is null ? null : RewardBenchSections.Load(map.FullName));
    }

    private static void WriteV1(string name, RewardBenchV1Report report)
    {
        Console.WriteLine();
        Console.WriteLine($"RewardBench v1: {name}");
        var sections = ResultTables.Create("section", ">pairs", ">subsets", ">score");
        foreach (var section in report.Sections)
        {
            sections.AddPlainRow([section.Section, Count(section.Pairs), Count(section.Subsets), ResultTables.Number(section.Score)]);
        }

        sections.AddPlainRow([$"headline (mean of {report.Sections.Count} sections)", "", "", ResultTables.Number(report.Headline)]);
        ResultTables.Write(sections);
        var subsets = ResultTables.Create("subset", "section", ">pairs", ">weight", "strict accuracy [95% CI]");
        foreach (var subset in report.Subsets)
        {
            subsets.AddPlainRow([subset.Subset, subset.Section ?? "(none)", Count(subset.Accuracy.Count), ResultTables.Number(subset.Weight, "G"), ResultTables.Accuracy(subset.Accuracy)]);
        }

        ResultTables.Write(subsets);
        if (report.Unassigned.Count > 0)
        {
            Console.WriteLine($"not in any section (counted in no section score): {string.Join(", ", report.Unassigned)}");
        }
    }

    private static void WriteV2(string name, RewardBenchV2Report report)
    {
        Console.WriteLine();
        Console.WriteLine($"RewardBench v2 (best-of-N, 1/k on ties): {name}");
        var table = ResultTables.Create("subset", ">items", "score [95% CI]");
        foreach (var (subset, summary) in report.Subsets)
        {
            table.AddPlainRow([subset, Count(summary.Count), ResultTables.Accuracy(summary)]);
        }

        table.AddPlainRow([$"headline (mean of {report.Subsets.Count} subsets)", "", ResultTables.Number(report.Headline)]);
        ResultTables.Write(table);
    }

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
