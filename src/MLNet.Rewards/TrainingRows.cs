using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Training;

namespace MLNet.Rewards;

/// <summary>The columns a reward trainer reads its training rows from (optional ones null).</summary>
/// <param name="Features">The response's feature vector.</param>
/// <param name="PromptFeatures">The prompt's embedding, when the head uses it.</param>
/// <param name="Label">Boolean: true for the preferred response.</param>
/// <param name="PairId">Text: rows with the same value are compared.</param>
/// <param name="Group">Text: rows with the same value form a group (null: the pair id is the group).</param>
internal sealed record TrainingColumns(string Features, string? PromptFeatures, string Label, string PairId, string? Group);

/// <summary>
/// The rows of a preference training set read from an <see cref="IDataView"/>: turned into chosen/rejected pairs for the
/// Bradley–Terry trainers, or into groups of consecutive rows for ML.NET's ranking trainers.
/// </summary>
internal sealed class TrainingRows
{
    private readonly List<float[]> _features = [];
    private readonly List<float[]> _prompts = [];
    private readonly List<bool> _labels = [];
    private readonly List<string> _pairIds = [];
    private readonly List<string> _groups = [];
    private readonly string _labelColumn;
    private int _dimension;

    private TrainingRows(string labelColumn)
    {
        _labelColumn = labelColumn;
    }

    /// <summary>Number of rows read.</summary>
    public int Count => _labels.Count;

    /// <summary>Length of every feature vector.</summary>
    public int Dimension => _dimension;

    public static TrainingRows Read(IDataView data, TrainingColumns names)
    {
        var schema = data.Schema;
        var columns = new List<DataViewSchema.Column> { schema[names.Features], schema[names.Label], schema[names.PairId] };
        if (names.PromptFeatures is not null)
        {
            columns.Add(schema[names.PromptFeatures]);
        }

        if (names.Group is not null)
        {
            columns.Add(schema[names.Group]);
        }

        var rows = new TrainingRows(names.Label);
        using var cursor = data.GetRowCursor(columns);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(schema[names.Features]);
        var getLabel = cursor.GetGetter<bool>(schema[names.Label]);
        var getPairId = cursor.GetGetter<ReadOnlyMemory<char>>(schema[names.PairId]);
        var getPrompt = names.PromptFeatures is null ? null : cursor.GetGetter<VBuffer<float>>(schema[names.PromptFeatures]);
        var getGroup = names.Group is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(schema[names.Group]);
        VBuffer<float> vector = default;
        ReadOnlyMemory<char> text = default;
        bool label = false;
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            getFeatures(ref vector);
            rows._features.Add(rows.Dense(vector, names.Features, row));
            if (getPrompt is not null)
            {
                getPrompt(ref vector);
                rows._prompts.Add(rows.Dense(vector, names.PromptFeatures!, row));
            }

            getLabel(ref label);
            rows._labels.Add(label);
            getPairId(ref text);
            string pairId = text.ToString();
            rows._pairIds.Add(pairId);
            if (getGroup is not null)
            {
                getGroup(ref text);
                rows._groups.Add(text.ToString());
            }
            else
            {
                rows._groups.Add(pairId);
            }
        }

        if (row == 0)
        {
            throw new InvalidOperationException("the training data has no rows");
        }

        return rows;
    }

    /// <summary>
    /// Every (preferred, rejected) combination within each pair id, in order of first appearance, featurized with
    /// <paramref name="layout"/>.
    /// </summary>
    public PairwiseDataset ToPairs(FeatureLayout layout)
    {
        var pairs = Comparisons.Within(_pairIds, _labels, _labelColumn);
        int width = ResponseFeatures.Dimension(layout, _dimension);
        var chosenMatrix = new FloatMatrix(pairs.Count, width);
        var rejectedMatrix = new FloatMatrix(pairs.Count, width);
        var groups = new ulong[pairs.Count];
        for (int p = 0; p < pairs.Count; p++)
        {
            var (c, r) = pairs[p];
            ResponseFeatures.Build(layout, PromptOf(c), _features[c], chosenMatrix.Row(p));
            ResponseFeatures.Build(layout, PromptOf(r), _features[r], rejectedMatrix.Row(p));
            groups[p] = StableHash.Of(_groups[c]);
        }

        return new PairwiseDataset(chosenMatrix, rejectedMatrix, groups);
    }

    /// <summary>
    /// The rows grouped for a ranking trainer: every row, reordered so that the rows of one group are consecutive (groups
    /// in order of first appearance, rows in their order within a group), with its group's number counted from 1.
    /// </summary>
    /// <exception cref="InvalidOperationException">A pair id lacks a preferred or a rejected row.</exception>
    public IReadOnlyList<(int Row, uint Group)> Grouped()
    {
        Comparisons.Within(_pairIds, _labels, _labelColumn);
        var numbers = new Dictionary<string, uint>(StringComparer.Ordinal);
        var grouped = new List<(int Row, uint Group)>(Count);
        for (int i = 0; i < Count; i++)
        {
            if (!numbers.TryGetValue(_groups[i], out uint number))
            {
                numbers[_groups[i]] = number = (uint)numbers.Count + 1;
            }

            grouped.Add((i, number));
        }

        // A stable sort: rows keep their order within a group.
        return [.. grouped.OrderBy(g => g.Group)];
    }

    /// <summary>The features of row <paramref name="row"/> (in reading order).</summary>
    public float[] FeaturesOf(int row) => _features[row];

    /// <summary>The label of row <paramref name="row"/>: true for a preferred response.</summary>
    public bool LabelOf(int row) => _labels[row];

    private ReadOnlySpan<float> PromptOf(int row) => _prompts.Count > 0 ? _prompts[row] : [];

    private float[] Dense(in VBuffer<float> vector, string column, long row)
    {
        if (_dimension == 0)
        {
            _dimension = vector.Length;
            if (_dimension == 0)
            {
                throw new InvalidOperationException($"row {row}: column '{column}' is an empty vector");
            }
        }
        else if (vector.Length != _dimension)
        {
            throw new InvalidOperationException($"row {row}: column '{column}' has {vector.Length} values but earlier rows have {_dimension}; every feature and prompt vector must have the same length");
        }

        return [.. vector.DenseValues()];
    }
}
