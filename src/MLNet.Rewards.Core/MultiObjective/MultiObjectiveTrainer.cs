using System.Text.Json;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.MultiObjective;

/// <summary>
/// Trains a <see cref="MultiObjectiveRewardModel"/> in ArmoRM's two stages. Stage 1 (<see cref="FitObjectives"/>): one ridge
/// regression per rated attribute and one Bradley–Terry head per principle, over shared response features. Stage 2
/// (<see cref="FitCombiner"/>), on preference pairs with the objectives frozen: standardise each objective on the pairs'
/// responses, optionally decorrelate it from verbosity, then train the gate with the Bradley–Terry loss (or, without a
/// gate, fit linear scalarizer weights by logistic regression).
/// </summary>
public sealed class MultiObjectiveTrainer
{
    private const string ReferenceMetricPrefix = "reference.";

    /// <summary>Creates a trainer; the options are checked now.</summary>
    public MultiObjectiveTrainer(MultiObjectiveTrainerOptions? options = null)
    {
        Options = options ?? new MultiObjectiveTrainerOptions();
        Options.Validate();
    }

    /// <summary>The hyperparameters.</summary>
    public MultiObjectiveTrainerOptions Options { get; }

    /// <summary>Both stages: objectives from their data, then the combiner from <paramref name="pairs"/>.</summary>
    public MultiObjectiveRewardModel Fit(ITextEmbedder embedder, FeatureLayout layout, IReadOnlyList<ObjectiveDefinition> definitions, IReadOnlyList<PreferencePair> pairs, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        var featurizer = new PairFeaturizer(embedder, layout);
        var objectives = FitObjectives(featurizer, definitions, log, cancellationToken);
        return FitCombiner(featurizer, objectives, pairs, null, log, cancellationToken);
    }

    /// <summary>Stage 1: trains every learned objective (measured ones need nothing). Standardisation and λ are left neutral.</summary>
    /// <exception cref="ArgumentException">Names repeat, a definition has no data, or no row rates a regression attribute.</exception>
    public IReadOnlyList<Objective> FitObjectives(PairFeaturizer featurizer, IReadOnlyList<ObjectiveDefinition> definitions, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (definitions.Count == 0)
        {
            throw new ArgumentException("no objectives were defined", nameof(definitions));
        }

        var duplicate = definitions.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"objective '{duplicate.Key}' is defined {duplicate.Count()} times; names must be unique", nameof(definitions));
        }

        var ratedFeatures = new Dictionary<IReadOnlyList<RatedResponse>, FloatMatrix>(ReferenceEqualityComparer.Instance);
        var objectives = new List<Objective>();
        for (int j = 0; j < definitions.Count; j++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long seed = SeededRandom.Derive(Options.Seed, j);
            objectives.Add(definitions[j] switch
            {
                RegressionObjectiveDefinition regression => FitRegression(featurizer, regression, ratedFeatures, seed, log, cancellationToken),
                PreferenceObjectiveDefinition preference => FitPreference(featurizer, preference, seed, log, cancellationToken),
                MeasuredObjectiveDefinition measured => new Objective(new ObjectiveDescriptor { Name = measured.Name, Kind = ObjectiveKind.Measured, Measure = measured.Measure }, null),
                _ => throw new ArgumentException($"unknown objective definition {definitions[j].GetType().Name}", nameof(definitions)),
            });
        }

        return objectives;
    }

    /// <summary>
    /// Stage 2: standardises the objectives on the responses of <paramref name="pairs"/>, decorrelates them from verbosity
    /// when <see cref="MultiObjectiveTrainerOptions.MaxVerbositySpearman"/> is set, and trains the gate (or fits linear
    /// weights). <paramref name="pairBatch"/> may carry the pairs' featurized responses (from <see cref="ResponseBatch.FromPairs"/>) to save featurizing again.
    /// </summary>
    public MultiObjectiveRewardModel FitCombiner(PairFeaturizer featurizer, IReadOnlyList<Objective> objectives, IReadOnlyList<PreferencePair> pairs, ResponseBatch? pairBatch = null, IProgress<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (pairs.Count == 0)
        {
            throw new ArgumentException("the combiner needs preference pairs", nameof(pairs));
        }

        var batch = pairBatch ?? ResponseBatch.FromPairs(featurizer, pairs, cancellationToken);
        if (batch.Count != 2 * pairs.Count)
        {
            throw new ArgumentException($"the pair batch has {batch.Count} rows; {pairs.Count} pairs need {2 * pairs.Count} (chosen, then rejected)", nameof(pairBatch));
        }

        var neutral = objectives.Select(o => o with { Descriptor = o.Descriptor with { Mean = 0, Scale = 1, VerbosityLambda = 0 } }).ToList();
        var unscaled = new VerbosityReference(Options.VerbosityMeasure, Options.VerbosityScale, 0, 1);
        var (lengthMean, lengthScale) = MeanAndScale([.. batch.Responses.Select(r => (double)unscaled.Raw(r))]);
        var verbosity = unscaled with { Mean = (float)lengthMean, StandardDeviation = (float)lengthScale };
        var probe = new MultiObjectiveRewardModel(featurizer.Embedder, featurizer.Layout, neutral, verbosity, null, new MinScalarizer());
        var raw = probe.Evaluate(batch).Raw;
        var standardVerbosity = batch.Responses.Select(r => (double)verbosity.Of(r)).ToArray();

        var processed = new List<Objective>();
        for (int j = 0; j < objectives.Count; j++)
        {
            var column = Enumerable.Range(0, raw.Rows).Select(i => (double)raw.Data[(i * raw.Columns) + j]).ToArray();
            var (mean, scale) = MeanAndScale(column);
            // Stage-2 numbers of an earlier combiner (when objectives are reused) are replaced, stage-1 metrics kept.
            var stageOne = objectives[j].Descriptor.Metrics.Where(m => !m.Key.StartsWith(ReferenceMetricPrefix, StringComparison.Ordinal)).ToDictionary();
            var descriptor = objectives[j].Descriptor with { Mean = (float)mean, Scale = (float)scale, VerbosityLambda = 0, Metrics = stageOne };
            var standardized = column.Select(v => (v - mean) / scale).ToArray();
            if (Options.MaxVerbositySpearman is double bound && descriptor.Kind != ObjectiveKind.Measured)
            {
                var result = VerbosityDecorrelation.FindLambda(standardized, standardVerbosity, bound);
                descriptor = descriptor with { VerbosityLambda = (float)result.Lambda };
                descriptor.Metrics[ReferenceMetricPrefix + "lengthSpearman"] = result.SpearmanBefore;
                descriptor.Metrics[ReferenceMetricPrefix + "lengthSpearmanDecorrelated"] = result.SpearmanAfter;
                log?.Report($"{descriptor.Name}: λ = {result.Lambda:G4} (Spearman with length {result.SpearmanBefore:F3} -> {result.SpearmanAfter:F3})");
            }
            else
            {
                descriptor.Metrics[ReferenceMetricPrefix + "lengthSpearman"] = Evaluation.Statistics.Spearman(standardized, standardVerbosity);
            }

            processed.Add(objectives[j] with { Descriptor = descriptor });
        }

        var withoutGate = new MultiObjectiveRewardModel(featurizer.Embedder, featurizer.Layout, processed, verbosity, null, new MinScalarizer());
        var values = withoutGate.Evaluate(batch);
        int n = pairs.Count;
        var chosenRows = Enumerable.Range(0, n).ToArray();
        var rejectedRows = Enumerable.Range(n, n).ToArray();
        var groups = pairs.Select(p => StableHash.Of(p.Prompt)).ToArray();
        GatingRewardHead? gate = null;
        RewardCombination combination;
        TrainingResult? gateResult = null;
        if (Options.TrainGate)
        {
            var inputs = MultiObjectiveRewardModel.GateInputs(values);
            var data = new PairwiseDataset(RowsOf(inputs, chosenRows), RowsOf(inputs, rejectedRows), groups);
            var gateSpec = Options.Gate with { ObjectiveCount = objectives.Count };
            var trainer = new PairwiseTrainer(Options.GateTrainer with { Head = gateSpec, Seed = SeededRandom.Derive(Options.Seed, 1000) });
            gateResult = trainer.Fit(data, progress: log is null ? null : new EpochLog("gate", log), cancellationToken: cancellationToken);
            gate = (GatingRewardHead)gateResult.Head;
            combination = new GateCombination();
        }
        else
        {
            combination = LinearScalarizer.Fit(RowsOf(values.Values, chosenRows), RowsOf(values.Values, rejectedRows), groups, Options.GateTrainer with { Seed = SeededRandom.Derive(Options.Seed, 1000) });
        }

        var info = new ModelInfo
        {
            Hyperparameters = JsonSerializer.SerializeToNode(Options, ModelArchive.JsonOptions)!.AsObject(),
            Training = new TrainingMetadata(
                PreferenceDataHash.Of(pairs),
                gateResult?.TrainPairs ?? n,
                gateResult?.ValidationPairs ?? 0,
                gateResult?.History.Count ?? 0,
                gateResult?.BestEpoch ?? 0,
                Options.Seed,
                [.. pairs.Select(p => p.Source).Distinct().Order(StringComparer.Ordinal)]),
            Metrics = gateResult is null || double.IsNaN(gateResult.History[gateResult.BestEpoch - 1].ValidationAccuracy)
                ? []
                : new Dictionary<string, double> { ["gate.validation.accuracy"] = gateResult.History[gateResult.BestEpoch - 1].ValidationAccuracy },
        };
        return new MultiObjectiveRewardModel(featurizer.Embedder, featurizer.Layout, processed, verbosity, gate, combination, info);
    }

    private Objective FitRegression(PairFeaturizer featurizer, RegressionObjectiveDefinition definition, Dictionary<IReadOnlyList<RatedResponse>, FloatMatrix> cache, long seed, IProgress<string>? log, CancellationToken cancellationToken)
    {
        if (definition.Data.Count == 0)
        {
            throw new ArgumentException($"regression objective '{definition.Name}' has no rated responses");
        }

        if (!cache.TryGetValue(definition.Data, out var features))
        {
            features = featurizer.FeaturizeResponses([.. definition.Data.Select(r => r.Prompt)], [.. definition.Data.Select(r => r.Response)], cancellationToken);
            cache[definition.Data] = features;
        }

        var targets = definition.Data.Select(r => r.Rating(definition.Attribute)).ToArray();
        if (targets.All(float.IsNaN))
        {
            throw new ArgumentException($"regression objective '{definition.Name}': no row rates '{definition.Attribute}' (every rating is missing)");
        }

        var groups = definition.Data.Select(r => StableHash.Of(r.Prompt)).ToArray();
        var fit = RidgeRegression.Fit(features, targets, groups, Options.Ridge with { Seed = seed });
        var head = new LinearRewardHead(features.Columns);
        fit.Weights.CopyTo(head.Parameters, 0);
        log?.Report($"{definition.Name}: ridge on '{definition.Attribute}', {fit.Rows} rated rows, penalty {fit.Penalty:G3}, validation RMSE {fit.ValidationRmse:F3} (the validation ratings' standard deviation is {fit.ValidationTargetStd:F3})");
        var metrics = new Dictionary<string, double> { ["ridge.penalty"] = fit.Penalty, ["ridge.rows"] = fit.Rows };
        if (!double.IsNaN(fit.ValidationRmse))
        {
            metrics["ridge.validationRmse"] = fit.ValidationRmse;
            metrics["ridge.validationTargetStd"] = fit.ValidationTargetStd;
        }

        return new Objective(new ObjectiveDescriptor { Name = definition.Name, Kind = ObjectiveKind.Regression, Head = head.Spec, Metrics = metrics }, head);
    }

    private Objective FitPreference(PairFeaturizer featurizer, PreferenceObjectiveDefinition definition, long seed, IProgress<string>? log, CancellationToken cancellationToken)
    {
        if (definition.Pairs.Count == 0)
        {
            throw new ArgumentException($"preference objective '{definition.Name}' has no pairs");
        }

        var data = featurizer.Featurize(definition.Pairs, cancellationToken: cancellationToken);
        var options = (definition.Trainer ?? Options.Preference) with { Seed = seed };
        var result = new PairwiseTrainer(options).Fit(data, progress: log is null ? null : new EpochLog(definition.Name, log), cancellationToken: cancellationToken);
        var best = result.History[result.BestEpoch - 1];
        var metrics = new Dictionary<string, double> { ["pairs"] = result.TrainPairs };
        if (!double.IsNaN(best.ValidationAccuracy))
        {
            metrics["validation.accuracy"] = best.ValidationAccuracy;
        }

        return new Objective(new ObjectiveDescriptor { Name = definition.Name, Kind = ObjectiveKind.Preference, Head = result.Head.Spec, Metrics = metrics }, result.Head);
    }

    private static (double Mean, double Scale) MeanAndScale(double[] values)
    {
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return (mean, std > 1e-12 ? std : 1.0);
    }

    private static FloatMatrix RowsOf(FloatMatrix matrix, int[] rows)
    {
        var result = new FloatMatrix(rows.Length, matrix.Columns);
        for (int i = 0; i < rows.Length; i++)
        {
            matrix.Row(rows[i]).CopyTo(result.Row(i));
        }

        return result;
    }

    private sealed class EpochLog(string name, IProgress<string> log) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => log.Report($"{name} epoch {value.Epoch}: train loss {value.TrainLoss:F4}, valid loss {value.ValidationLoss:F4}, valid acc {value.ValidationAccuracy:F3}");
    }
}

/// <summary>Every hyperparameter of <see cref="MultiObjectiveTrainer"/>.</summary>
public sealed record MultiObjectiveTrainerOptions
{
    /// <summary>Ridge settings of regression objectives (penalty grid, validation split).</summary>
    public RidgeOptions Ridge { get; init; } = new();

    /// <summary>Trainer of preference objectives without their own settings: a linear Bradley–Terry head by default.</summary>
    public PairwiseTrainerOptions Preference { get; init; } = new() { Head = new LinearHeadSpec() };

    /// <summary>Train the gate (ArmoRM stage 2). When false, linear scalarizer weights are fit by logistic regression instead and become the default combination.</summary>
    public bool TrainGate { get; init; } = true;

    /// <summary>The gate architecture (its objective count is set by the trainer); reference 3 x 1024, T = 1.</summary>
    public GatingHeadSpec Gate { get; init; } = new();

    /// <summary>Trainer of the gate (its head is replaced by <see cref="Gate"/>) and of the linear scalarizer weights (head replaced by a linear one).</summary>
    public PairwiseTrainerOptions GateTrainer { get; init; } = new() { Head = new LinearHeadSpec() };

    /// <summary>How verbosity is measured.</summary>
    public LengthMeasure VerbosityMeasure { get; init; } = LengthMeasure.Characters;

    /// <summary>Whether decorrelation subtracts a multiple of the length or of its logarithm.</summary>
    public VerbosityScale VerbosityScale { get; init; } = VerbosityScale.Linear;

    /// <summary>
    /// The bound on |Spearman(objective, verbosity)| on the combiner's pairs that decorrelation enforces for every learned
    /// objective (ArmoRM: 0.03); null turns decorrelation off.
    /// </summary>
    public double? MaxVerbositySpearman { get; init; }

    /// <summary>Seed from which every stage's seed is derived.</summary>
    public long Seed { get; init; }

    /// <summary>Checks the options, naming the one that is out of range.</summary>
    public void Validate()
    {
        Ridge.Validate();
        Preference.Validate();
        GateTrainer.Validate();
        Gate.Validate(objectiveCountKnown: false);
        OptionValidation.Require(MaxVerbositySpearman is null or (> 0 and < 1), nameof(MaxVerbositySpearman), MaxVerbositySpearman, "must be in (0, 1), or null for no decorrelation");
    }
}
