using System.Numerics.Tensors;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Synthetic;

/// <summary>Settings of the synthetic preference benchmark.</summary>
internal sealed record SyntheticBenchmarkOptions
{
    /// <summary>Embedding dimension.</summary>
    public int Dimension { get; init; } = 128;

    /// <summary>Training pairs.</summary>
    public int TrainPairs { get; init; } = 10_000;

    /// <summary>Test pairs (labelled by the golden reward, without noise).</summary>
    public int TestPairs { get; init; } = 5_000;

    /// <summary>Probability that a training label is flipped (annotation noise): 0 is clean, 0.4 is very noisy.</summary>
    public double LabelNoise { get; init; } = 0.1;

    /// <summary>Hidden units of the golden reward's non-linear part.</summary>
    public int GoldenHiddenUnits { get; init; } = 32;

    /// <summary>Seed of embeddings, golden reward and noise.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Checks the settings.</summary>
    public void Validate()
    {
        OptionValidation.Require(Dimension >= 2, nameof(Dimension), Dimension, "must be at least 2");
        OptionValidation.Require(TrainPairs >= 1, nameof(TrainPairs), TrainPairs, "must be at least 1");
        OptionValidation.Require(TestPairs >= 1, nameof(TestPairs), TestPairs, "must be at least 1");
        OptionValidation.Require(LabelNoise is >= 0 and < 0.5, nameof(LabelNoise), LabelNoise, "must be in [0, 0.5)");
        OptionValidation.Require(GoldenHiddenUnits >= 1, nameof(GoldenHiddenUnits), GoldenHiddenUnits, "must be at least 1");
    }
}

/// <summary>
/// A preference benchmark with a known answer, in the style of the "Reusing Embeddings" paper's case studies: random unit
/// embeddings stand for responses, a hidden golden reward g(x) = w·x + v·tanh(U·x) scores them, and training labels follow
/// the golden reward except for a chosen share of flipped labels. Test labels are the golden ones, so test accuracy says
/// how much of the true preference a model recovered.
/// </summary>
internal sealed class SyntheticPreferenceBenchmark
{
    private readonly float[] _linear;
    private readonly FloatMatrix _hidden;
    private readonly float[] _output;

    private SyntheticPreferenceBenchmark(SyntheticBenchmarkOptions options)
    {
        options.Validate();
        Options = options;
        var random = new SeededRandom(options.Seed);
        int d = options.Dimension;
        _linear = Gaussian(random, d, 1.0 / Math.Sqrt(d));
        _hidden = new FloatMatrix(options.GoldenHiddenUnits, d, Gaussian(random, options.GoldenHiddenUnits * d, 3.0 / Math.Sqrt(d)));
        _output = Gaussian(random, options.GoldenHiddenUnits, 1.0 / Math.Sqrt(options.GoldenHiddenUnits));
        var labelRandom = new SeededRandom(SeededRandom.Derive(options.Seed, 7));
        (Train, FlippedLabels) = MakePairs(random, labelRandom, options.TrainPairs, options.LabelNoise);
        (Test, _) = MakePairs(random, labelRandom, options.TestPairs, 0);
    }

    /// <summary>The settings it was made with.</summary>
    public SyntheticBenchmarkOptions Options { get; }

    /// <summary>Training pairs with noisy labels.</summary>
    public PairwiseDataset Train { get; }

    /// <summary>Test pairs labelled by the golden reward.</summary>
    public PairwiseDataset Test { get; }

    /// <summary>How many training labels were flipped.</summary>
    public int FlippedLabels { get; }

    /// <summary>Builds the benchmark; the same options always give the same data.</summary>
    public static SyntheticPreferenceBenchmark Create(SyntheticBenchmarkOptions options) => new(options);

    /// <summary>The golden reward of an embedding.</summary>
    public float GoldenReward(ReadOnlySpan<float> x)
    {
        float reward = TensorPrimitives.Dot(_linear, x);
        for (int h = 0; h < _hidden.Rows; h++)
        {
            reward += _output[h] * MathF.Tanh(TensorPrimitives.Dot(_hidden.Row(h), x));
        }

        return reward;
    }

    /// <summary>Draws <paramref name="count"/> fresh random unit embeddings (for best-of-N style experiments).</summary>
    public FloatMatrix SampleEmbeddings(int count, long seed)
    {
        var random = new SeededRandom(seed);
        var matrix = new FloatMatrix(count, Options.Dimension);
        for (int i = 0; i < count; i++)
        {
            UnitVector(random, matrix.Row(i));
        }

        return matrix;
    }

    private (PairwiseDataset Data, int Flipped) MakePairs(SeededRandom random, SeededRandom labelRandom, int count, double noise)
    {
        int d = Options.Dimension;
        var chosen = new FloatMatrix(count, d);
        var rejected = new FloatMatrix(count, d);
        var groups = new ulong[count];
        int flipped = 0;
        Span<float> a = new float[d], b = new float[d];
        for (int i = 0; i < count; i++)
        {
            UnitVector(random, a);
            UnitVector(random, b);
            bool aWins = GoldenReward(a) >= GoldenReward(b);
            if (noise > 0 && labelRandom.NextDouble() < noise)
            {
                aWins = !aWins;
                flipped++;
            }

            (aWins ? a : b).CopyTo(chosen.Row(i));
            (aWins ? b : a).CopyTo(rejected.Row(i));
            groups[i] = Data.StableHash.Mix((ulong)i + ((ulong)count << 32));
        }

        return (new PairwiseDataset(chosen, rejected, groups), flipped);
    }

    private static void UnitVector(SeededRandom random, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (float)random.NextGaussian();
        }

        TensorPrimitives.Divide(destination, TensorPrimitives.Norm(destination), destination);
    }

    private static float[] Gaussian(SeededRandom random, int count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(random.NextGaussian() * scale);
        }

        return values;
    }
}
