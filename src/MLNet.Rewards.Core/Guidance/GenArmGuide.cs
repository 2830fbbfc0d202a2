using System.Numerics.Tensors;
using MLNet.Rewards.Generation;
using MLNet.Rewards.Kernels;

namespace MLNet.Rewards.Guidance;

/// <summary>One principle's reward head and the weight a request gives it.</summary>
/// <param name="Model">The autoregressive reward head.</param>
/// <param name="Alpha">Its weight α_i (0 = ignore; negative steers away).</param>
public readonly record struct WeightedArm(AutoregressiveRewardModel Model, float Alpha);

/// <summary>
/// GenARM decoding: next-token scores log π_base(y | x, y_&lt;t) + (1/β)·Σ_i α_i·log π_r_i(y | x, y_&lt;t), with one
/// autoregressive reward head per principle and the weights α chosen per request (multi-objective steering without
/// retraining). Each head reuses the base model's hidden state and logits of the step, so guidance costs a few passes
/// over the vocabulary and a rank-r projection per head, not another model call. With every α = 0 the scores are
/// log π_base, which decodes exactly as the base model.
/// </summary>
public sealed class GenArmGuide : INextTokenGuide
{
    private readonly WeightedArm[] _heads;
    private readonly float _beta;
    private readonly int _maxTopK;
    private float[] _scratch = [];
    private readonly int[] _ids;
    private readonly float[] _top;
    private readonly float[] _u;
    private readonly float[] _corrected;

    /// <summary>Creates a guide over <paramref name="heads"/> with decoding temperature <paramref name="beta"/> of the reward term.</summary>
    public GenArmGuide(IReadOnlyList<WeightedArm> heads, float beta = 1f)
    {
        ArgumentNullException.ThrowIfNull(heads);
        OptionValidation.Require(beta > 0 && float.IsFinite(beta), nameof(beta), beta, "must be a positive finite number");

        if (heads.Select(h => (h.Model.HiddenSize, h.Model.VocabularySize)).Distinct().Count() > 1)
        {
            throw new ArgumentException("all reward heads must belong to the same base model (hidden and vocabulary sizes differ)", nameof(heads));
        }

        _heads = [.. heads];
        _beta = beta;
        _maxTopK = _heads.Length == 0 ? 0 : _heads.Max(h => h.Model.TopK);
        _ids = new int[_maxTopK];
        _top = new float[_maxTopK];
        _u = new float[_heads.Length == 0 ? 0 : _heads.Max(h => h.Model.Rank)];
        _corrected = new float[_maxTopK];
    }

    /// <summary>The heads and their weights.</summary>
    public IReadOnlyList<WeightedArm> Heads => _heads;

    /// <inheritdoc />
    public void Guide(ReadOnlySpan<float> hidden, Span<float> scores)
    {
        if (_scratch.Length < scores.Length)
        {
            _scratch = new float[scores.Length];
        }

        var (max, total) = Softmax.Normalizer(scores, _scratch);
        float logBase = max + MathF.Log(total);
        if (_maxTopK > 0)
        {
            TokenSampler.TopIndices(scores, Math.Min(_maxTopK, scores.Length), _ids, _top);
        }

        // scores = log π_base + Σ_i (α_i/β)(z − LSE_i), then each head's correction on its top-K tokens.
        float slope = 1f, offset = logBase;
        foreach (var (model, alpha) in _heads)
        {
            if (alpha == 0f)
            {
                continue;
            }

            float weight = alpha / _beta;
            offset += weight * HeadNormalizer(model, hidden, max, total);
            slope += weight;
        }

        TensorPrimitives.Multiply(scores, slope, scores);
        TensorPrimitives.Subtract(scores, offset, scores);
        foreach (var (model, alpha) in _heads)
        {
            if (alpha == 0f)
            {
                continue;
            }

            var u = _u.AsSpan(0, model.Rank);
            model.Project(hidden, u);
            float weight = alpha / _beta;
            for (int j = 0; j < model.TopK; j++)
            {
                scores[_ids[j]] += weight * model.Correction(_ids[j], u);
            }
        }
    }

    /// <summary>log Σ_y exp(z_y + c_y) of one head: its top-K corrected, the rest of the vocabulary as in the base model.</summary>
    private float HeadNormalizer(AutoregressiveRewardModel model, ReadOnlySpan<float> hidden, float max, float total)
    {
        var u = _u.AsSpan(0, model.Rank);
        model.Project(hidden, u);
        int k = model.TopK;
        float topMass = 0;
        for (int j = 0; j < k; j++)
        {
            topMass += MathF.Exp(_top[j] - max);
            _corrected[j] = _top[j] + model.Correction(_ids[j], u);
        }

        float rest = MathF.Max(0f, total - topMass);
        return VocabularyMath.LogSumExpWithRest(_corrected.AsSpan(0, k), rest > 0 ? max + MathF.Log(rest) : float.NegativeInfinity);
    }
}
