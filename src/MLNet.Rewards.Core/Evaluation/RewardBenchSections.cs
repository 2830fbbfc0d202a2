using System.Text.Json;
using MLNet.Rewards.Data;

namespace MLNet.Rewards.Evaluation;

/// <summary>
/// Which RewardBench section each subset (a pair's <c>source</c>) belongs to, and optional fixed weights for subsets
/// whose weight in their section is not their pair count. <see cref="Default"/> is RewardBench v1's published
/// assignment; users supply their own with <see cref="Load"/>.
/// </summary>
public sealed class RewardBenchSections
{
    private readonly Dictionary<string, string> _sectionOfSubset;
    private readonly Dictionary<string, double> _weights;

    /// <summary>Creates a map from section names to their subsets, with optional fixed subset weights.</summary>
    /// <exception cref="ArgumentException">A subset is listed in two sections, or a weight is not positive and finite.</exception>
    public RewardBenchSections(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> sections, IReadOnlyDictionary<string, double>? weights = null)
    {
        var order = new List<string>();
        _sectionOfSubset = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (section, subsets) in sections)
        {
            order.Add(section);
            foreach (string subset in subsets)
            {
                if (!_sectionOfSubset.TryAdd(subset, section))
                {
                    throw new ArgumentException($"subset '{subset}' is in both '{_sectionOfSubset[subset]}' and '{section}'");
                }
            }
        }

        _weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (subset, weight) in weights ?? new Dictionary<string, double>())
        {
            if (!(weight > 0) || double.IsInfinity(weight))
            {
                throw new ArgumentException($"weight of subset '{subset}' must be positive and finite, found {weight}");
            }

            _weights[subset] = weight;
        }

        Sections = order;
    }

    /// <summary>
    /// RewardBench v1's assignment: Chat (alpacaeval-easy/-length/-hard, mt-bench-easy/-med), Chat Hard (mt-bench-hard,
    /// llmbar-natural, llmbar-adver-neighbor/-GPTInst/-GPTOut/-manual), Safety (refusals-dangerous/-offensive,
    /// xstest-should-refuse/-respond, donotanswer), Reasoning (math-prm, hep-cpp/-go/-java/-js/-python/-rust). As in v1,
    /// math-prm weighs 984 in Reasoning (its 447 pairs up-weighted to equal the six hep-* subsets' 6 × 164), so maths
    /// and code count equally; every other subset weighs its pair count. One addition to v1's lists: Chat Hard also
    /// names llmbar-adversarial-neighbor/-gptinst/-gptout/-manual, the LLMBar release's own spelling of the four
    /// adversarial subsets RewardBench took into Chat Hard (the shared llmbar.jsonl.gz uses it).
    /// </summary>
    public static RewardBenchSections Default { get; } = new(
        [
            new("Chat", ["alpacaeval-easy", "alpacaeval-length", "alpacaeval-hard", "mt-bench-easy", "mt-bench-med"]),
            new("Chat Hard",
            [
                "mt-bench-hard", "llmbar-natural", "llmbar-adver-neighbor", "llmbar-adver-GPTInst", "llmbar-adver-GPTOut", "llmbar-adver-manual",
                "llmbar-adversarial-neighbor", "llmbar-adversarial-gptinst", "llmbar-adversarial-gptout", "llmbar-adversarial-manual",
            ]),
            new("Safety", ["refusals-dangerous", "refusals-offensive", "xstest-should-refuse", "xstest-should-respond", "donotanswer"]),
            new("Reasoning", ["math-prm", "hep-cpp", "hep-go", "hep-java", "hep-js", "hep-python", "hep-rust"]),
        ],
        new Dictionary<string, double> { ["math-prm"] = 984 });

    /// <summary>Section names in the order they were given.</summary>
    public IReadOnlyList<string> Sections { get; }

    /// <summary>The section of <paramref name="subset"/>, or null when no section names it.</summary>
    public string? SectionOf(string subset) => _sectionOfSubset.GetValueOrDefault(subset);

    /// <summary>The weight of a subset within its section: its fixed weight when the map gives one, else <paramref name="pairCount"/>.</summary>
    public double WeightOf(string subset, int pairCount) => _weights.TryGetValue(subset, out double weight) ? weight : pairCount;

    /// <summary>
    /// Reads a section map from JSON: <c>{"sections": {"Chat": ["alpacaeval-easy", ...], ...}, "weights": {"math-prm": 984}}</c>;
    /// <c>weights</c> is optional (absent subsets weigh their pair count).
    /// </summary>
    /// <exception cref="DataFormatException">The file is missing, not JSON, or not of that shape.</exception>
    public static RewardBenchSections Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, 0, "file not found");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("sections", out var sections) || sections.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(path, 0, "expected an object with a \"sections\" object mapping each section name to an array of subset names");
            }

            var parsed = new List<KeyValuePair<string, IReadOnlyList<string>>>();
            foreach (var section in sections.EnumerateObject())
            {
                if (section.Value.ValueKind != JsonValueKind.Array || section.Value.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
                {
                    throw new DataFormatException(path, 0, $"section '{section.Name}' must be an array of subset names (strings)");
                }

                parsed.Add(new(section.Name, [.. section.Value.EnumerateArray().Select(s => s.GetString()!)]));
            }

            var weights = new Dictionary<string, double>(StringComparer.Ordinal);
            if (root.TryGetProperty("weights", out var weightObject))
            {
                if (weightObject.ValueKind != JsonValueKind.Object)
                {
                    throw new DataFormatException(path, 0, "\"weights\" must be an object mapping subset names to numbers");
                }

                foreach (var weight in weightObject.EnumerateObject())
                {
                    if (weight.Value.ValueKind != JsonValueKind.Number)
                    {
                        throw new DataFormatException(path, 0, $"weight of subset '{weight.Name}' must be a number, found {weight.Value.ValueKind}");
                    }

                    weights[weight.Name] = weight.Value.GetDouble();
                }
            }

            return new RewardBenchSections(parsed, weights);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(path, (e.LineNumber ?? -1) + 1, $"not valid JSON ({e.Message})", e);
        }
        catch (ArgumentException e)
        {
            throw new DataFormatException(path, 0, e.Message, e);
        }
    }
}
