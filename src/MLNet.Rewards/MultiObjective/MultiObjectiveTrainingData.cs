using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// The training data of <see cref="MultiObjectiveRewardTrainer"/> read from an <see cref="IDataView"/> into what Core's
/// <see cref="MultiObjectiveTrainer"/> takes: one definition per objective (rated responses, per-principle comparisons,
/// or a length measure) and the comparisons the combiner is trained on.
/// </summary>
internal sealed class MultiObjectiveTrainingData
{
    private readonly List<string> _prompts = [];
    private readonly List<string> _responses = [];
    private readonly List<string> _pairIds = [];
    private readonly Dictionary<string, List<bool>> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<float>> _ratings = new(StringComparer.Ordinal);

    private MultiObjectiveTrainingData()
    {
    }

    /// <summary>The objectives to train, in the options' order.</summary>
    public List<ObjectiveDefinition> Definitions { get; } = [];

    /// <summary>The comparisons of <see cref="MultiObjectiveRewardTrainerOptions.LabelColumnName"/>, for the combiner.</summary>
    public List<PreferencePair> CombinerPairs { get; private set; } = [];

    /// <exception cref="InvalidOperationException">The data has no rows, a pair id lacks a preferred or rejected row, or the rows of a pair id have different prompts.</exception>
    public static MultiObjectiveTrainingData Read(IDataView data, MultiObjectiveRewardTrainerOptions options)
    {
        var result = new MultiObjectiveTrainingData();
        string[] labelColumns = [options.LabelColumnName, .. options.Objectives.OfType<PreferenceObjectiveColumn>().Select(o => o.Column)];
        string[] ratingColumns = [.. options.Objectives.OfType<RatingObjectiveColumn>().Select(o => o.Column)];
        result.ReadRows(data, options, [.. labelColumns.Distinct(StringComparer.Ordinal)], [.. ratingColumns.Distinct(StringComparer.Ordinal)]);
        if (result._prompts.Count == 0)
        {
            throw new InvalidOperationException("the training data has no rows");
        }

        var rated = result.RatedResponses(ratingColumns);
        foreach (var objective in options.Objectives)
        {
            result.Definitions.Add(objective switch
            {
                RatingObjectiveColumn rating => new RegressionObjectiveDefinition(rating.Name, rating.Column, rated),
                PreferenceObjectiveColumn preference => new PreferenceObjectiveDefinition(preference.Name, result.Pairs(preference.Column), preference.Trainer),
                LengthObjectiveColumn length => new MeasuredObjectiveDefinition(length.Name, length.Measure),
                _ => throw new ArgumentException($"unknown objective column {objective.GetType().Name}", nameof(options)),
            });
        }

        result.CombinerPairs = result.Pairs(options.LabelColumnName);
        if (result.CombinerPairs.Count == 0)
        {
            throw new InvalidOperationException($"no row has a pair id in column '{options.PairIdColumnName}': the combiner is trained on comparisons");
        }

        return result;
    }

    private void ReadRows(IDataView data, MultiObjectiveRewardTrainerOptions options, string[] labelColumns, string[] ratingColumns)
    {
        var schema = data.Schema;
        string[] textColumns = [options.PromptColumnName, options.ResponseColumnName, options.PairIdColumnName];
        using var cursor = data.GetRowCursor([.. textColumns.Concat(labelColumns).Concat(ratingColumns).Distinct(StringComparer.Ordinal).Select(c => schema[c])]);
        var getPrompt = cursor.GetGetter<ReadOnlyMemory<char>>(schema[options.PromptColumnName]);
        var getResponse = cursor.GetGetter<ReadOnlyMemory<char>>(schema[options.ResponseColumnName]);
        var getPairId = cursor.GetGetter<ReadOnlyMemory<char>>(schema[options.PairIdColumnName]);
        var getLabels = labelColumns.Select(c => (Values: _labels[c] = [], Get: cursor.GetGetter<bool>(schema[c]))).ToList();
        var getRatings = ratingColumns.Select(c => (Values: _ratings[c] = [], Get: cursor.GetGetter<float>(schema[c]))).ToList();
        ReadOnlyMemory<char> text = default;
        bool label = false;
        float rating = 0;
        while (cursor.MoveNext())
        {
            getPrompt(ref text);
            _prompts.Add(text.ToString());
            getResponse(ref text);
            _responses.Add(text.ToString());
            getPairId(ref text);
            _pairIds.Add(text.ToString());
            foreach (var (values, get) in getLabels)
            {
                get(ref label);
                values.Add(label);
            }

            foreach (var (values, get) in getRatings)
            {
                get(ref rating);
                values.Add(rating);
            }
        }
    }

    /// <summary>The rows that rate at least one attribute, with every rating column as an attribute (NaN where not rated).</summary>
    private List<RatedResponse> RatedResponses(string[] ratingColumns)
    {
        var rated = new List<RatedResponse>();
        for (int i = 0; i < _prompts.Count; i++)
        {
            var ratings = ratingColumns.Distinct(StringComparer.Ordinal).ToDictionary(c => c, c => _ratings[c][i], StringComparer.Ordinal);
            if (ratings.Values.Any(v => !float.IsNaN(v)))
            {
                rated.Add(new RatedResponse($"row-{i + 1}", string.Empty, _prompts[i], _responses[i], ratings));
            }
        }

        return rated;
    }

    /// <summary>The comparisons within pair ids by <paramref name="labelColumn"/>, as preference pairs.</summary>
    private List<PreferencePair> Pairs(string labelColumn)
    {
        var pairs = new List<PreferencePair>();
        foreach (var (chosen, rejected) in Comparisons.Within(_pairIds, _labels[labelColumn], labelColumn, skipEmptyIds: true))
        {
            if (!string.Equals(_prompts[chosen], _prompts[rejected], StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"pair id '{_pairIds[chosen]}' has rows with different prompts (rows {chosen + 1} and {rejected + 1}); the rows of a comparison answer the same prompt");
            }

            pairs.Add(new PreferencePair(_pairIds[chosen], string.Empty, _prompts[chosen], _responses[chosen], _responses[rejected]));
        }

        return pairs;
    }
}
