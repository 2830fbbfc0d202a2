using MLNet.Rewards.Guidance;

namespace MLNet.Rewards.Tests.Guidance;

/// <summary>Small random ARM features over a toy vocabulary, for gradient and training tests.</summary>
internal static class SyntheticArmFeatures
{
    public const int Vocabulary = 40;
    public const int Hidden = 6;
    public const int TopK = 5;

    /// <summary>
    /// Random texts; a quarter of the targets fall outside the top-K. When <paramref name="learnable"/>, every position
    /// offers a "good" token (ids 0-9) and a "bad" one (10-19) with equal base logits; chosen texts write the good one and
    /// rejected texts the bad one, so the base model cannot tell them apart but a head can learn to.
    /// </summary>
    public static List<ArmPairFeatures> Pairs(int count, long seed, bool learnable = false)
    {
        var random = new SeededRandom(seed);
        return [.. Enumerable.Range(0, count).Select(_ => learnable
            ? new ArmPairFeatures(Text(random, good: true), Text(random, good: false))
            : new ArmPairFeatures(Text(random, good: null), Text(random, good: null)))];
    }

    private static ArmTextFeatures Text(SeededRandom random, bool? good)
    {
        int length = 2 + random.Next(4);
        var f = new ArmTextFeatures(length, Hidden, TopK);
        for (int t = 0; t < length; t++)
        {
            for (int i = 0; i < Hidden; i++)
            {
                f.Hidden[(t * Hidden) + i] = (float)random.NextGaussian();
            }

            var ids = Enumerable.Range(0, Vocabulary).ToArray();
            random.Shuffle(ids.AsSpan());
            if (good is not null)
            {
                f.Hidden[t * Hidden] = 1f;
                var rest = Enumerable.Range(20, Vocabulary - 20).ToArray();
                random.Shuffle(rest.AsSpan());
                int goodSlot = random.Next(2);
                ids = [.. new int[2], .. rest];
                ids[goodSlot] = random.Next(10);
                ids[1 - goodSlot] = 10 + random.Next(10);
            }

            float logit = 3f;
            for (int j = 0; j < TopK; j++)
            {
                f.CandidateIds[(t * TopK) + j] = ids[j];
                f.CandidateLogits[(t * TopK) + j] = logit;
                logit -= good is not null && j == 0 ? 0f : 0.3f + random.NextSingle();
            }

            f.LogRest[t] = logit + 1.5f;
            int slot = good switch
            {
                true => ids[0] < 10 ? 0 : 1,
                false => ids[0] < 10 ? 1 : 0,
                null => random.Next(4) == 0 ? -1 : random.Next(TopK),
            };
            f.TargetSlots[t] = slot;
            f.Targets[t] = slot >= 0 ? ids[slot] : ids[TopK + random.Next(ids.Length - TopK)];
            f.TargetLogits[t] = slot >= 0 ? f.CandidateLogits[(t * TopK) + slot] : logit - 1f;
        }

        return f;
    }
}
