using MLNet.Rewards.Training;

namespace MLNet.Rewards.Ensembles;

/// <summary>
/// Trains the members of a <see cref="RewardEnsemble"/> in parallel, each with <see cref="PairwiseTrainer"/> on its own
/// bootstrap resample (or all pairs) with its own derived seed. Each member trains single-threaded, so member m is
/// bit-identical whatever the scheduling or the number of cores.
/// </summary>
public sealed class EnsembleTrainer
{
    /// <summary>Creates a trainer; the options are checked now.</summary>
    public EnsembleTrainer(EnsembleTrainerOptions options)
    {
        options.Validate();
        Options = options;
    }

    /// <summary>The options.</summary>
    public EnsembleTrainerOptions Options { get; }

    /// <summary>The options member <paramref name="member"/> trains with.</summary>
    public PairwiseTrainerOptions MemberOptions(int member) =>
        Options.Trainer with { Seed = SeededRandom.Derive(Options.Trainer.Seed, 1000 + member), MaxDegreeOfParallelism = 1 };

    /// <summary>The pair indices member <paramref name="member"/> trains on.</summary>
    public int[] MemberSample(int member, int pairs)
    {
        if (Options.Resampling == EnsembleResampling.SeedsOnly)
        {
            return [.. Enumerable.Range(0, pairs)];
        }

        var random = new SeededRandom(SeededRandom.Derive(Options.Trainer.Seed, 2000 + member));
        var sample = new int[pairs];
        for (int i = 0; i < pairs; i++)
        {
            sample[i] = random.Next(pairs);
        }

        return sample;
    }

    /// <summary>
    /// Trains every member on <paramref name="train"/>; validation for early stopping is <paramref name="validation"/> when
    /// given, else each member's own prompt-grouped hold-out. <paramref name="progress"/> hears each finished member.
    /// </summary>
    public EnsembleTrainingResult Fit(PairwiseDataset train, PairwiseDataset? validation = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        if (train.Count == 0)
        {
            throw new ArgumentException("the training set has no pairs", nameof(train));
        }

        var results = new TrainingResult[Options.Members];
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Options.MaxParallelMembers > 0 ? Options.MaxParallelMembers : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        try
        {
            Parallel.For(0, Options.Members, parallel, m =>
            {
                var data = Options.Resampling == EnsembleResampling.SeedsOnly ? train : train.Subset(MemberSample(m, train.Count));
                try
                {
                    results[m] = new PairwiseTrainer(MemberOptions(m)).Fit(data, validation, cancellationToken: cancellationToken);
                }
                catch (TrainingDivergedException e)
                {
                    throw new TrainingDivergedException($"member {m}: {e.What}");
                }

                progress?.Report(m);
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(inner => inner is TrainingDivergedException) is { } diverged)
        {
            // Surface the member's own error (the caller maps it to a message and exit code), not Parallel's wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(diverged);
        }

        return new EnsembleTrainingResult(new RewardEnsemble([.. results.Select(r => r.Head)]), results);
    }
}

/// <summary>A trained ensemble and how each member's training went.</summary>
/// <param name="Ensemble">The ensemble.</param>
/// <param name="Members">Member m's training result.</param>
public sealed record EnsembleTrainingResult(RewardEnsemble Ensemble, IReadOnlyList<TrainingResult> Members);
