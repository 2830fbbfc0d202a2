using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Pipelines.Pairwise;

/// <summary>The rows of a pairwise training set read from an <see cref="IDataView"/>, turned into chosen/rejected pairs.</summary>
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

    public static TrainingRows Read(IDataView data, PairwiseRewardTrainerOptions options)
    {
        var schema = data.Schema;
        var columns = new List<DataViewSchema.Column> { schema[options.FeatureColumnName], schema[options.LabelColumnName], schema[options.PairIdColumnName] };
        if (options.PromptFeatureColumnName is not null)
        {
            columns.Add(schema[options.PromptFeatureColumnName]);
        }

        if (options.GroupColumnName is not null)
        {
            columns.Add(schema[options.GroupColumnName]);
        }

        var rows = new TrainingRows(options.LabelColumnName);
        using var cursor = data.GetRowCursor(columns);
        var getFeatures = cursor.GetGetter<VBuffer<float>>(schema[options.FeatureColumnName]);
        var getLabel = cursor.GetGetter<bool>(schema[options.LabelColumnName]);
        var getPairId = cursor.GetGetter<ReadOnlyMemory<char>>(schema[options.PairIdColumnName]);
        var getPrompt = options.PromptFeatureColumnName is null ? null : cursor.GetGetter<VBuffer<float>>(schema[options.PromptFeatureColumnName]);
        var getGroup = options.GroupColumnName is null ? null : cursor.GetGetter<ReadOnlyMemory<char>>(schema[options.GroupColumnName]);
        VBuffer<float> vector = default;
        ReadOnlyMemory<char> text = default;
        bool label = false;
        long row = 0;
        while (cursor.MoveNext())
        {
            row++;
            getFeatures(ref vector);
            rows._features.Add(rows.Dense(vector, options.FeatureColumnName, row));
            if (getPrompt is not null)
            {
                getPrompt(ref vector);
                rows._prompts.Add(rows.Dense(vector, options.PromptFeatureColumnName!, row));
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
