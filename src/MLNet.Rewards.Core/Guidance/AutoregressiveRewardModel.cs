using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;

namespace MLNet.Rewards.Guidance;

/// <summary>
/// GenARM's autoregressive reward model (Xu et al., arXiv 2410.08193) for one principle, as a low-rank head on the frozen
/// base model: log π_r(y_t | x, y_&lt;t) = log_softmax(z_t + B·(A·h_t)), where h_t and z_t are the base model's final hidden
/// state and logits, A: hidden → rank and B: rank → vocabulary. The correction B·(A·h_t) is applied to the base model's
/// top-K tokens at each position (<see cref="TopK"/>); every other token keeps its base logit, so π_r differs from the
/// base model only in how it re-weights the plausible tokens. B starts at zero: an untrained head is the base model.
/// The response reward is r(x, y) = Σ_t log π_r(y_t | x, y_&lt;t).
/// </summary>
public sealed class AutoregressiveRewardModel
{
    /// <summary>The manifest's <c>component</c> for this model.</summary>
    public const string ComponentName = "genarm-arm";

    /// <summary>Creates a head with A drawn from N(0, 1/hidden) by <paramref name="seed"/> and B = 0.</summary>
    public AutoregressiveRewardModel(string principle, int rank, int hiddenSize, int vocabularySize, int topK, long seed, ModelInfo? info = null)
        : this(principle, rank, hiddenSize, vocabularySize, topK, new float[checked((rank * hiddenSize) + (vocabularySize * rank))], info)
    {
        var random = new SeededRandom(seed);
        float scale = 1f / MathF.Sqrt(hiddenSize);
        var a = Parameters.AsSpan(0, rank * hiddenSize);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)random.NextGaussian() * scale;
        }
    }

    private AutoregressiveRewardModel(string principle, int rank, int hiddenSize, int vocabularySize, int topK, float[] parameters, ModelInfo? info)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(principle);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rank);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(topK);
        Principle = principle;
        Rank = rank;
        HiddenSize = hiddenSize;
        VocabularySize = vocabularySize;
        TopK = topK;
        Parameters = parameters;
        Info = info ?? new ModelInfo();
    }

    /// <summary>What this head rewards, e.g. "harmless" or "helpful".</summary>
    public string Principle { get; }

    /// <summary>Rank of the correction.</summary>
    public int Rank { get; }

    /// <summary>Width of the base model's hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Vocabulary size.</summary>
    public int VocabularySize { get; }

    /// <summary>How many of the base model's most likely tokens the correction re-weights at each position.</summary>
    public int TopK { get; }

    /// <summary>All weights in one buffer: A [rank, hidden] then B [vocabulary, rank].</summary>
    public float[] Parameters { get; }

    /// <summary>Hyperparameters, training metadata and metrics.</summary>
    public ModelInfo Info { get; }

    internal Span<float> A => Parameters.AsSpan(0, Rank * HiddenSize);

    internal Span<float> B => Parameters.AsSpan(Rank * HiddenSize);

    /// <summary>u = A·h.</summary>
    internal void Project(ReadOnlySpan<float> hidden, Span<float> u)
    {
        ReadOnlySpan<float> a = A;
        for (int i = 0; i < Rank; i++)
        {
            u[i] = TensorPrimitives.Dot(a.Slice(i * HiddenSize, HiddenSize), hidden);
        }
    }

    /// <summary>The correction B[token]·u of one token.</summary>
    internal float Correction(int token, ReadOnlySpan<float> u) => TensorPrimitives.Dot(Parameters.AsSpan((Rank * HiddenSize) + (token * Rank), Rank), u);

    /// <summary>r(x, y) = Σ_t log π_r(y_t | x, y_&lt;t) over the response of <paramref name="features"/>.</summary>
    public double Reward(ArmTextFeatures features)
    {
        ArgumentNullException.ThrowIfNull(features);
        CheckFits(features);
        var u = new float[Rank];
        var corrected = new float[features.TopK];
        double sum = 0;
        for (int t = 0; t < features.Length; t++)
        {
            sum += LogProbability(features, t, u, corrected, out _);
        }

        return sum;
    }

    /// <summary>
    /// log π_r of the response token at <paramref name="t"/>; leaves u = A·h_t and the corrected candidate logits in the
    /// buffers and returns the normaliser, for the backward pass.
    /// </summary>
    internal float LogProbability(ArmTextFeatures features, int t, Span<float> u, Span<float> corrected, out float logNormalizer)
    {
        Project(features.HiddenAt(t), u);
        var ids = features.CandidatesAt(t);
        features.CandidateLogitsAt(t).CopyTo(corrected);
        for (int j = 0; j < ids.Length; j++)
        {
            corrected[j] += Correction(ids[j], u);
        }

        logNormalizer = VocabularyMath.LogSumExpWithRest(corrected, features.LogRest[t]);
        int slot = features.TargetSlots[t];
        return (slot >= 0 ? corrected[slot] : features.TargetLogits[t]) - logNormalizer;
    }

    /// <summary>Checks that features were made by a base model of this head's sizes.</summary>
    internal void CheckFits(ArmTextFeatures features)
    {
        if (features.HiddenSize != HiddenSize || features.TopK != TopK)
        {
            throw new ArgumentException($"features of hidden size {features.HiddenSize} with top-{features.TopK} do not fit a head of hidden size {HiddenSize} with top-{TopK}");
        }
    }

    /// <summary>Writes the model zip atomically.</summary>
    public void Save(string path)
    {
        var body = new JsonObject
        {
            ["principle"] = Principle,
            ["rank"] = Rank,
            ["hiddenSize"] = HiddenSize,
            ["vocabularySize"] = VocabularySize,
            ["topK"] = TopK,
            ["info"] = JsonSerializer.SerializeToNode(Info, ModelArchive.JsonOptions),
        };
        ModelArchive.Save(path, ComponentName, body,
        [
            new NamedTensor("arm.A", [Rank, HiddenSize], A.ToArray()),
            new NamedTensor("arm.B", [VocabularySize, Rank], B.ToArray()),
        ]);
    }

    /// <summary>Loads and checks a model zip written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">The file is missing, corrupt, of another component or inconsistent.</exception>
    public static AutoregressiveRewardModel Load(string path)
    {
        var contents = ModelArchive.Load(path, ComponentName);
        int rank = contents.Get<int>("rank"), hidden = contents.Get<int>("hiddenSize"), vocabulary = contents.Get<int>("vocabularySize"), topK = contents.Get<int>("topK");
        if (rank <= 0 || hidden <= 0 || vocabulary <= 0 || topK <= 0)
        {
            throw new ModelFormatException(path, $"rank {rank}, hiddenSize {hidden}, vocabularySize {vocabulary} and topK {topK} must all be positive");
        }

        float[] a = contents.Tensor("arm.A", [rank, hidden]);
        float[] b = contents.Tensor("arm.B", [vocabulary, rank]);
        return new AutoregressiveRewardModel(contents.Get<string>("principle"), rank, hidden, vocabulary, topK, [.. a, .. b], contents.Get<ModelInfo>("info"));
    }
}
