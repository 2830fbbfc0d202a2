using System.Numerics.Tensors;
using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Active;

/// <summary>
/// The online loop of SEA-style active preference learning over an ensemble: <see cref="Select"/> a pair of candidates,
/// receive the label, <see cref="Update"/> every member with a few Bradley–Terry steps on labels drawn from everything seen
/// so far, each member pulled towards its initial weights. The members are updated in place, in parallel, each from its own
/// seeded generator, so a run is the same whatever the scheduling.
/// </summary>
public sealed class OnlineEnsembleLearner
{
    private readonly OnlineLearningOptions _options;
    private readonly float[][] _anchors;
    private readonly AdamW[] _optimizers;
    private readonly PairBatchGradient[] _gradients;
    private readonly SeededRandom[] _memberRandoms;
    private readonly SeededRandom _selectionRandom;
    private readonly List<float> _preferred = [];
    private readonly List<float> _other = [];

    /// <summary>Starts from <paramref name="ensemble"/> (its current weights are the anchors); the options are checked now.</summary>
    public OnlineEnsembleLearner(RewardEnsemble ensemble, OnlineLearningOptions? options = null)
    {
        _options = options ?? new OnlineLearningOptions();
        _options.Validate();
        Ensemble = ensemble;
        var members = ensemble.Members;
        _anchors = [.. members.Select(m => (float[])m.Parameters.Clone())];
        _optimizers = [.. members.Select(m => new AdamW(m.Parameters.Length, new AdamWOptions { LearningRate = _options.LearningRate, WeightDecay = 0 }))];
        _gradients = [.. members.Select(m => new PairBatchGradient(m, _options.BatchSize))];
        _memberRandoms = [.. members.Select((_, i) => new SeededRandom(SeededRandom.Derive(_options.Seed, 100 + i)))];
        _selectionRandom = new SeededRandom(SeededRandom.Derive(_options.Seed, 1));
    }

    /// <summary>The ensemble being learned (updated in place).</summary>
    public RewardEnsemble Ensemble { get; }

    /// <summary>Labels received so far.</summary>
    public int LabelCount => _preferred.Count / Ensemble.InputDimension;

    /// <summary>The pair of rows of <paramref name="candidates"/> (one feature row per candidate response) to ask about next.</summary>
    public CandidatePair Select(FloatMatrix candidates, IPairSelector selector)
    {
        CheckColumns(candidates.Columns);
        return selector.Select(Ensemble.ScoreMembers(candidates), _selectionRandom);
    }

    /// <summary>Records that <paramref name="preferred"/> beat <paramref name="other"/> and updates every member.</summary>
    public void Update(ReadOnlySpan<float> preferred, ReadOnlySpan<float> other)
    {
        CheckColumns(preferred.Length);
        CheckColumns(other.Length);
        _preferred.AddRange(preferred);
        _other.AddRange(other);
        int d = Ensemble.InputDimension;
        var labels = new PairwiseDataset(new FloatMatrix(LabelCount, d, [.. _preferred]), new FloatMatrix(LabelCount, d, [.. _other]), new ulong[LabelCount]);
        Parallel.For(0, Ensemble.Members.Count, m => UpdateMember(m, labels));
    }

    private void UpdateMember(int member, PairwiseDataset labels)
    {
        var parameters = Ensemble.Members[member].Parameters;
        var anchor = _anchors[member];
        var gradient = _gradients[member];
        var random = _memberRandoms[member];
        var batch = new int[Math.Min(_options.BatchSize, gradient.MaxPairs)];
        for (int step = 0; step < _options.StepsPerLabel; step++)
        {
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = random.Next(labels.Count);
            }

            gradient.Compute(labels, batch, 1f / batch.Length, labelSmoothing: 0);
            if (_options.AnchorStrength > 0)
            {
                // g ← g + λ(θ − θ₀)
                TensorPrimitives.MultiplyAdd(parameters, _options.AnchorStrength, gradient.Gradient, gradient.Gradient);
                TensorPrimitives.MultiplyAdd(anchor, -_options.AnchorStrength, gradient.Gradient, gradient.Gradient);
            }

            _optimizers[member].Step(parameters, gradient.Gradient);
        }
    }

    private void CheckColumns(int columns)
    {
        if (columns != Ensemble.InputDimension)
        {
            throw new ArgumentException($"candidates have {columns} features but the ensemble takes {Ensemble.InputDimension}");
        }
    }
}
