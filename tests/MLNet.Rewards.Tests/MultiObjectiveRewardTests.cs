using MLNet.Rewards.MultiObjective;

namespace MLNet.Rewards.Tests;

/// <summary>
/// A training row of the multi-objective tests: a response of a PKU-SafeRLHF pair judged on two principles, or a rated
/// HelpSteer response (empty pair id, NaN where a pair row is not rated).
/// </summary>
public sealed class PrincipleRow
{
    public string PairId { get; set; } = string.Empty;

    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    public bool Helpful { get; set; }

    public bool Harmless { get; set; }

    public float Helpfulness { get; set; } = float.NaN;
}

/// <summary>The gated multi-objective combiner through ML.NET: round trips, parity with Core, schema errors.</summary>
[TestClass]
public sealed class MultiObjectiveRewardTests
{
    private const string AllOutputs = "Score,ObjectiveRewards,GateWeights";
    private static readonly HashingFeaturizerSpec Hashing = new() { Buckets = 64 };

    private static readonly MultiObjectiveTrainerOptions Quick = new()
    {
        Preference = new PairwiseTrainerOptions { Head = new Heads.LinearHeadSpec(), MaxEpochs = 3 },
        Gate = new GatingHeadSpec { HiddenSizes = [16] },
        GateTrainer = new PairwiseTrainerOptions { Head = new Heads.LinearHeadSpec(), MaxEpochs = 4 },
        MaxVerbositySpearman = 0.03,
        Seed = 4,
    };

    private static MultiObjectiveRewardTrainerOptions Options => new()
    {
        Objectives = [new RatingObjectiveColumn("Helpfulness"), new PreferenceObjectiveColumn("Helpful"), new PreferenceObjectiveColumn("Harmless"), new LengthObjectiveColumn("Words", LengthMeasure.Words)],
        LabelColumnName = "Helpful",
        Featurizer = Hashing,
        Trainer = Quick,
    };

    /// <summary>One Bradley–Terry objective per principle, gate trained on the helpful judgements.</summary>
    private static MultiObjectiveRewardTrainerOptions TwoPrinciples => Options with { Objectives = [new PreferenceObjectiveColumn("Helpful"), new PreferenceObjectiveColumn("Harmless")] };

    [TestMethod]
    public void SavedAndLoadedInAnotherProcessGivesBitIdenticalScoresObjectivesAndGateWeights()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(pairs: 60, rated: 60);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Rewards().MultiObjectiveReward(Options).Fit(data);

        var schema = model.GetOutputSchema(data.Schema);
        Assert.AreEqual(NumberDataViewType.Single, schema["Score"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), schema["ObjectiveRewards"].Type);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single), schema["GateWeights"].Type);
        RoundTripTests.AssertRoundTrip(ml, model, data.Schema, ScoreRows(rows), AllOutputs);
    }

    [TestMethod]
    public void MixedPipelineWithNormalizeMeanVarianceAndConcatenateRoundTripsBitIdentically()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(pairs: 50, rated: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var pipeline = ml.Rewards().MultiObjectiveReward(TwoPrinciples with { LabelColumnName = "Harmless" })
            .Append(ml.Transforms.NormalizeMeanVariance("ScoreZ", "Score"))
            .Append(ml.Transforms.Concatenate("Explained", "ScoreZ", "GateWeights"));

        RoundTripTests.AssertRoundTrip(ml, pipeline.Fit(data), data.Schema, ScoreRows(rows), "ScoreZ,Explained");
    }

    [TestMethod]
    public void TrainsTheSameModelAsCoreAndScoresBitIdentically()
    {
        var (helpful, harmless) = PrincipleRows.Pairs(40);
        var rated = RatedResponseReader.Read(SharedFiles.Data("helpsteer-sample.jsonl.gz")).Take(40).ToList();
        var core = new MultiObjectiveTrainer(Quick).Fit(
            new HashingTextEmbedder(Hashing),
            FeatureLayout.ResponseAndPromptProduct,
            [new RegressionObjectiveDefinition("Helpfulness", "helpfulness", rated), new PreferenceObjectiveDefinition("Helpful", helpful), new PreferenceObjectiveDefinition("Harmless", harmless), new MeasuredObjectiveDefinition("Words", LengthMeasure.Words)],
            helpful);

        var ml = new MLContext(seed: 1);
        var rows = PrincipleRows.Join(helpful, harmless).Concat(PrincipleRows.Rated(rated)).ToList();
        var model = ml.Rewards().MultiObjectiveReward(Options).Fit(ml.Data.LoadFromEnumerable(rows));

        for (int j = 0; j < core.Objectives.Count; j++)
        {
            Assert.AreEqual(core.Objectives[j].Descriptor.Mean, model.Model.Objectives[j].Descriptor.Mean, core.ObjectiveNames[j]);
            Assert.AreEqual(core.Objectives[j].Descriptor.VerbosityLambda, model.Model.Objectives[j].Descriptor.VerbosityLambda, core.ObjectiveNames[j]);
            CollectionAssert.AreEqual(core.Objectives[j].Head?.Parameters, model.Model.Objectives[j].Head?.Parameters, core.ObjectiveNames[j]);
        }

        CollectionAssert.AreEqual(core.Gate!.Parameters, model.Model.Gate!.Parameters, "the ML.NET trainer should train exactly Core's gate");

        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows));
        string[] prompts = [.. rows.Select(r => r.Prompt)], responses = [.. rows.Select(r => r.Response)];
        CollectionAssert.AreEqual(core.Score(prompts, responses), scored.GetColumn<float>("Score").ToArray());
        var explained = core.Explain(prompts, responses);
        var objectives = scored.GetColumn<float[]>("ObjectiveRewards").ToList();
        var weights = scored.GetColumn<float[]>("GateWeights").ToList();
        for (int i = 0; i < rows.Count; i++)
        {
            CollectionAssert.AreEqual(explained[i].Objectives.Select(o => o.Value).ToArray(), objectives[i], $"row {i}: objective rewards");
            CollectionAssert.AreEqual(explained[i].Objectives.Select(o => o.GateWeight!.Value).ToArray(), weights[i], $"row {i}: gate weights");
        }
    }

    [TestMethod]
    public void MissingRatingColumnIsNamedAtFitAndAtGetOutputSchema()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(pairs: 4, rated: 0));
        var trainer = ml.Rewards().MultiObjectiveReward(Options with { Objectives = [new RatingObjectiveColumn("Correctness")] });

        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(Fixtures.Shape(data.Schema)));
        StringAssert.Contains(atSchema.Message, "column 'Correctness' (the rating of objective 'Correctness') is missing from the input; the input has: PairId, Prompt, Response");
        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => trainer.Fit(data));
        StringAssert.Contains(atFit.Message, "column 'Correctness' (the rating of objective 'Correctness') is missing");
    }

    [TestMethod]
    public void ColumnsOfWrongTypeAreReportedWithTheirTypes()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(pairs: 4, rated: 0));
        var ratingIsBoolean = ml.Rewards().MultiObjectiveReward(Options with { Objectives = [new RatingObjectiveColumn("Helpfulness", "Harmless")] });
        var labelIsNumber = ml.Rewards().MultiObjectiveReward(Options with { Objectives = [new PreferenceObjectiveColumn("Helpful", "Helpfulness")] });

        var rating = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ratingIsBoolean.Fit(data));
        StringAssert.Contains(rating.Message, "column 'Harmless' (the rating of objective 'Helpfulness') must be Single, but it is Boolean");
        var label = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => labelIsNumber.GetOutputSchema(Fixtures.Shape(data.Schema)));
        StringAssert.Contains(label.Message, "column 'Helpfulness' (the label of objective 'Helpful') must be Boolean, but it is Single");
    }

    [TestMethod]
    public void FittedTransformerReportsAMissingOrNonTextPrompt()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Rewards().MultiObjectiveReward(Options with { Objectives = [new PreferenceObjectiveColumn("Helpful")] }).Fit(ml.Data.LoadFromEnumerable(Rows(pairs: 20, rated: 0)));
        var numbers = ml.Data.LoadFromEnumerable(new[] { new NumericPrompt() });
        var noPrompt = ml.Data.LoadFromEnumerable(new[] { new ResponseOnly() });

        var wrongType = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.GetOutputSchema(numbers.Schema));
        StringAssert.Contains(wrongType.Message, "column 'Prompt' (the prompt) must be text (String), but it is Single");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(noPrompt));
        StringAssert.Contains(missing.Message, "column 'Prompt' (the prompt) is missing from the input; the input has: Response");
    }

    [TestMethod]
    public void PairWithDifferentPromptsIsNamedAtFit()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(pairs: 4, rated: 0);
        rows[1].Prompt = "another prompt";
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Rewards().MultiObjectiveReward(Options).Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(error.Message, $"pair id '{rows[0].PairId}' has rows with different prompts (rows 1 and 2)");
    }

    [TestMethod]
    public void GateWeightsWithoutAGateAreRefusedWhenTheTrainerIsCreated()
    {
        var ml = new MLContext(seed: 1);
        var error = Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().MultiObjectiveReward(Options with { Trainer = Quick with { TrainGate = false } }));
        StringAssert.Contains(error.Message, "GateWeightsColumnName");
        Assert.ThrowsExactly<InvalidOptionException>(() => ml.Rewards().MultiObjectiveReward(Options with { Objectives = [] }));
    }

    [TestMethod]
    public void WithoutAGateTheFittedLinearWeightsCombineAndRoundTrip()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(pairs: 40, rated: 0);
        var data = ml.Data.LoadFromEnumerable(rows);
        var model = ml.Rewards().MultiObjectiveReward(TwoPrinciples with { GateWeightsColumnName = null, Trainer = Quick with { TrainGate = false } }).Fit(data);

        Assert.IsInstanceOfType<LinearScalarizer>(model.Model.DefaultCombination);
        Assert.IsNull(model.GetOutputSchema(data.Schema).GetColumnOrNull("GateWeights"));
        RoundTripTests.AssertRoundTrip(ml, model, data.Schema, ScoreRows(rows), "Score,ObjectiveRewards");
    }

    private sealed class NumericPrompt
    {
        public float Prompt { get; set; } = 1;

        public string Response { get; set; } = "r";
    }

    private sealed class ResponseOnly
    {
        public string Response { get; set; } = "r";
    }

    private static List<PrincipleRow> Rows(int pairs, int rated)
    {
        var (helpful, harmless) = PrincipleRows.Pairs(pairs);
        return [.. PrincipleRows.Join(helpful, harmless), .. PrincipleRows.Rated(RatedResponseReader.Read(SharedFiles.Data("helpsteer-sample.jsonl.gz")).Take(rated))];
    }

    private static List<ScoreRow> ScoreRows(IEnumerable<PrincipleRow> rows)
        => [.. rows.Select(r => new ScoreRow { Prompt = r.Prompt, Response = r.Response })];
}

/// <summary>PKU-SafeRLHF pairs judged on two principles and HelpSteer ratings as <see cref="PrincipleRow"/>s.</summary>
internal static class PrincipleRows
{
    /// <summary>The first <paramref name="count"/> helpful pairs and the harmless judgements of the same pairs (ids match).</summary>
    public static (List<PreferencePair> Helpful, List<PreferencePair> Harmless) Pairs(int count)
    {
        var helpful = Fixtures.Pairs(count, "pku-saferlhf-helpful.jsonl.gz");
        var harmless = PreferencePairReader.Read(SharedFiles.Data("pku-saferlhf-harmless.jsonl.gz")).ToDictionary(p => p.Id, StringComparer.Ordinal);
        return (helpful, [.. helpful.Select(p => harmless[p.Id])]);
    }

    /// <summary>Two rows per pair (the helpful file's chosen response first), labelled by both principles.</summary>
    public static IEnumerable<PrincipleRow> Join(IReadOnlyList<PreferencePair> helpful, IReadOnlyList<PreferencePair> harmless)
        => helpful.Zip(harmless).SelectMany(p => new[] { p.First.Chosen, p.First.Rejected }.Select(response => new PrincipleRow
        {
            PairId = p.First.Id,
            Prompt = p.First.Prompt,
            Response = response,
            Helpful = response == p.First.Chosen,
            Harmless = response == p.Second.Chosen,
        }));

    /// <summary>Rated responses as rows without a pair id.</summary>
    public static IEnumerable<PrincipleRow> Rated(IEnumerable<RatedResponse> rated)
        => rated.Select(r => new PrincipleRow { Prompt = r.Prompt, Response = r.Response, Helpfulness = r.Rating("helpfulness") });
}
