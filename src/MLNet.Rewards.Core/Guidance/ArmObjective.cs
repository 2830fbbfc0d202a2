using System.Numerics.Tensors;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Guidance;

/// <summary>
/// GenARM's trajectory-level Bradley–Terry loss for an autoregressive reward head and its exact gradient:
/// loss = −log σ(β_r·(r(x, y_chosen) − r(x, y_rejected))), with r the summed token log-probabilities of the head.
/// </summary>
internal static class ArmObjective
{
    /// <summary>
    /// Mean loss over <paramref name="pairs"/>; adds the gradient of that mean with respect to
    /// <see cref="AutoregressiveRewardModel.Parameters"/> to <paramref name="gradient"/>.
    /// </summary>
    public static double LossAndGradient(AutoregressiveRewardModel model, IReadOnlyList<ArmPairFeatures> pairs, float betaR, Span<float> gradient)
    {
        double total = 0;
        var u = new float[model.Rank];
        var corrected = new float[model.TopK];
        var du = new float[model.Rank];
        foreach (var pair in pairs)
        {
            double margin = betaR * (model.Reward(pair.Chosen) - model.Reward(pair.Rejected));
            var (loss, dMargin) = BradleyTerry.Loss(margin);
            total += loss;
            float scale = (float)(dMargin * betaR / pairs.Count);
            Backward(model, pair.Chosen, scale, u, corrected, du, gradient);
            Backward(model, pair.Rejected, -scale, u, corrected, du, gradient);
        }

        return total / pairs.Count;
    }

    /// <summary>Adds <paramref name="upstream"/> · ∂r(x, y)/∂θ for one response to <paramref name="gradient"/>.</summary>
    private static void Backward(AutoregressiveRewardModel model, ArmTextFeatures features, float upstream, Span<float> u, Span<float> corrected, Span<float> du, Span<float> gradient)
    {
        int rank = model.Rank, hidden = model.HiddenSize;
        var gradA = gradient[..(rank * hidden)];
        var gradB = gradient[(rank * hidden)..];
        ReadOnlySpan<float> b = model.B;
        for (int t = 0; t < features.Length; t++)
        {
            model.LogProbability(features, t, u, corrected, out float logNormalizer);
            var ids = features.CandidatesAt(t);
            int slot = features.TargetSlots[t];
            du.Clear();
            for (int j = 0; j < ids.Length; j++)
            {
                // ∂ log π_r(y_t) / ∂ corrected_j = [j is y_t] − π_r(j)
                float g = upstream * ((j == slot ? 1f : 0f) - MathF.Exp(corrected[j] - logNormalizer));
                var bj = b.Slice(ids[j] * rank, rank);
                var gbj = gradB.Slice(ids[j] * rank, rank);
                TensorPrimitives.MultiplyAdd(u, g, gbj, gbj);
                TensorPrimitives.MultiplyAdd(bj, g, du, du);
            }

            var h = features.HiddenAt(t);
            for (int i = 0; i < rank; i++)
            {
                if (du[i] != 0f)
                {
                    var row = gradA.Slice(i * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(h, du[i], row, row);
                }
            }
        }
    }
}
