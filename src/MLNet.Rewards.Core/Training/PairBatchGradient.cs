using MLNet.Rewards.Heads;

namespace MLNet.Rewards.Training;

/// <summary>
/// The Bradley–Terry loss of a head on a batch of preference pairs and its gradient with respect to the head's parameters:
/// one forward pass over the chosen and rejected rows together, the loss derivative per pair, one backward pass.
/// Used by <see cref="PairwiseTrainer"/> (one per shard) and by online learners; owns its buffers, so use one per thread.
/// </summary>
internal sealed class PairBatchGradient
{
    private readonly RewardHead _head;
    private readonly HeadWorkspace _workspace;
    private readonly float[] _inputs;
    private readonly float[] _rewards;
    private readonly float[] _rewardGradients;

    /// <summary>Allocates buffers for batches of up to <paramref name="maxPairs"/> pairs scored by <paramref name="head"/>.</summary>
    public PairBatchGradient(RewardHead head, int maxPairs)
    {
        _head = head;
        MaxPairs = maxPairs;
        _workspace = head.CreateWorkspace(2 * maxPairs);
        _inputs = new float[2 * maxPairs * head.InputDimension];
        _rewards = new float[2 * maxPairs];
        _rewardGradients = new float[2 * maxPairs];
        Gradient = new float[head.Parameters.Length];
    }

    /// <summary>Largest batch.</summary>
    public int MaxPairs { get; }

    /// <summary>The gradient of the last batch's summed loss times the scale, laid out like the head's parameters.</summary>
    public float[] Gradient { get; }

    /// <summary>The last batch's summed (unscaled) loss.</summary>
    public double Loss { get; private set; }

    /// <summary>
    /// Computes the summed loss of the pairs at <paramref name="pairs"/>: per pair w·(BT(r_c − r_r − m) + c·(r_c + r_r)²) with
    /// the dataset's weight w and margin m and the centring coefficient c, and <paramref name="scale"/> times its gradient.
    /// </summary>
    public void Compute(PairwiseDataset data, ReadOnlySpan<int> pairs, float scale, double labelSmoothing, double centerCoefficient = 0)
    {
        int count = pairs.Length;
        int d = data.Dimension;
        for (int i = 0; i < count; i++)
        {
            data.Chosen.Row(pairs[i]).CopyTo(_inputs.AsSpan(i * d, d));
            data.Rejected.Row(pairs[i]).CopyTo(_inputs.AsSpan((count + i) * d, d));
        }

        var inputs = _inputs.AsSpan(0, 2 * count * d);
        _head.Forward(inputs, 2 * count, _workspace, _rewards);
        double loss = 0;
        for (int i = 0; i < count; i++)
        {
            int pair = pairs[i];
            double weight = data.Weights?[pair] ?? 1.0;
            double margin = data.Margins?[pair] ?? 0.0;
            var (pairLoss, gradient) = BradleyTerry.Loss(_rewards[i] - _rewards[count + i] - margin, labelSmoothing);
            double sum = _rewards[i] + _rewards[count + i];
            double center = 2 * centerCoefficient * sum;
            loss += weight * (pairLoss + (centerCoefficient * sum * sum));
            _rewardGradients[i] = (float)(weight * (gradient + center)) * scale;
            _rewardGradients[count + i] = (float)(weight * (center - gradient)) * scale;
        }

        Loss = loss;
        Array.Clear(Gradient);
        _head.Backward(inputs, 2 * count, _workspace, _rewardGradients, Gradient);
    }
}
