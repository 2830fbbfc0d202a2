namespace MLNet.Rewards.Training;

/// <summary>
/// The Bradley–Terry preference model: P(chosen ≻ rejected) = σ(r_c − r_r). Its loss is the binary cross-entropy of that
/// probability against a target of 1 (or 1 − ε with label smoothing ε).
/// </summary>
internal static class BradleyTerry
{
    /// <summary>P(chosen ≻ rejected) for a reward margin.</summary>
    public static double Probability(double margin) => 1.0 / (1.0 + Math.Exp(-margin));

    /// <summary>
    /// Loss of one pair with margin <paramref name="margin"/> = r_c − r_r, and its derivative with respect to the margin.
    /// Computed in a numerically stable form for large margins.
    /// </summary>
    public static (double Loss, double Gradient) Loss(double margin, double labelSmoothing = 0)
    {
        double target = 1.0 - labelSmoothing;
        // -log σ(m) = softplus(-m); -log σ(-m) = softplus(m)
        double loss = (target * Softplus(-margin)) + ((1.0 - target) * Softplus(margin));
        double gradient = Probability(margin) - target;
        return (loss, gradient);
    }

    /// <summary>log(1 + e^x) without overflow.</summary>
    public static double Softplus(double x) => x > 0 ? x + double.LogP1(Math.Exp(-x)) : double.LogP1(Math.Exp(x));
}
