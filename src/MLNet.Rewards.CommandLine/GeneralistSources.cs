using MLNet.Rewards.Data;
using MLNet.Rewards.Generalist;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Cli;

/// <summary>
/// The generalist recipe's training sources: every shared pair file that is not an evaluation set, and HelpSteer's ratings
/// turned into pairs within a prompt. One list, so that <c>train-generalist</c> and the experiments that compare heads on
/// the same multi-source set read the same pairs.
/// </summary>
internal static class GeneralistSources
{
    /// <summary>The shared pair files trained on (none of them is an evaluation set).</summary>
    public static IReadOnlyList<string> PairFiles { get; } = ["alpaca-eval-train", "hh-helpful-train-sample", "hh-harmless-train-sample", "pku-saferlhf-helpful", "pku-saferlhf-harmless"];

    /// <summary>The shared rated-response file whose ratings become pairs within a prompt.</summary>
    public const string RatedFile = "helpsteer-sample";

    /// <summary>The HelpSteer rating that orders two responses to one prompt, unless a command is told otherwise.</summary>
    public const string DefaultRatingAttribute = "helpfulness";

    /// <summary>The least rating difference that makes a HelpSteer pair, unless a command is told otherwise.</summary>
    public const float DefaultRatingGap = 1f;

    /// <summary>Every pair of every source, uncapped: the pair files in order, then HelpSteer's pairs by <paramref name="attribute"/>.</summary>
    public static List<PreferencePair> ReadAll(string folder, string folderOption, string attribute = DefaultRatingAttribute, float minimumGap = DefaultRatingGap)
    {
        var all = new List<PreferencePair>();
        foreach (string name in PairFiles)
        {
            all.AddRange(PreferencePairReader.ReadAll(DataFile(folder, name, folderOption)));
        }

        all.AddRange(GeneralistPairs.FromRatings(RatedResponseReader.ReadAll(DataFile(folder, RatedFile, folderOption)), attribute, minimumGap));
        return all;
    }

    /// <summary>The path of a shared data file, or a usage error naming the folder and the option that chose it when it is missing.</summary>
    public static string DataFile(string folder, string name, string folderOption)
    {
        string path = Path.Combine(folder, name + ".jsonl.gz");
        return File.Exists(path) ? path : throw new UsageException($"{folderOption} {folder} has no {name}.jsonl.gz (the shared data; see its SOURCES.md)");
    }
}
