using MLNet.Rewards.Heads;
using MLNet.Rewards.Synthetic;
using MLNet.Rewards.Training;

namespace MLNet.Rewards.Tests;

[TestClass]
public sealed class FullBatchLinearTrainerTests
{
    private static readonly SyntheticPreferenceBenchmark Bench = SyntheticPreferenceBenchmark.Create(new SyntheticBenchmarkOptions { Dimension = 32, TrainPairs = 3000, TestPairs = 1000, Seed = 4 });

    [TestMethod]
    public void ReachesALowerObjectiveThanMiniBatchTrainingAndTheSameAccuracy()
    {
        const double lambda = 1e-3;
        var lbfgs = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), ValidationFraction = 0, Optimizer = PairwiseOptimizer.FullBatchLbfgs, Lbfgs = new LbfgsOptions { L2Regularization = lambda } }).Fit(Bench.Train);
        var adam = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), ValidationFraction = 0, MaxEpochs = 30, LearningRate = 1e-2f, WeightDecay = 0 }).Fit(Bench.Train);

        double Objective(RewardHead head) => PairwiseTrainer.Measure(head, Bench.Train).Loss + (0.5 * lambda * head.Parameters.Sum(w => (double)w * w));
        Assert.IsLessThanOrEqualTo(Objective(adam.Head) + 1e-6, Objective(lbfgs.Head));
        Assert.AreEqual(PairwiseTrainer.Measure(adam.Head, Bench.Test).Accuracy, PairwiseTrainer.Measure(lbfgs.Head, Bench.Test).Accuracy, 0.02);
        Assert.IsGreaterThan(0.75, PairwiseTrainer.Measure(lbfgs.Head, Bench.Test).Accuracy);
    }

    [TestMethod]
    public void GradientVanishesAtTheSolution()
    {
        const double lambda = 1e-2;
        var head = new PairwiseTrainer(new PairwiseTrainerOptions { Head = new LinearHeadSpec(), ValidationFraction = 0, Optimizer = PairwiseOptimizer.FullBatchLbfgs, Lbfgs = new LbfgsOptions { L2Regularization = lambda, GradientTolerance = 1e-7 } }).Fit(Bench.Train).Head;

        // ∇f(w) = (1/n) Σ σ'(...)·(c − r) + λw, recomputed here in double.
        var gradient = new double[head.InputDimension];
        for (int i = 0; i < Bench.Train.Count; i++)
        {
            double margin = 0;
            for (int j = 0; j < gradient.Length; j++)
            {
                margin += head.Parameters[j] * (double)(Bench.Train.Chosen.Row(i)[j] - Bench.Train.Rejected.Row(i)[j]);
            }

            double slope = BradleyTerry.Loss(margin).Gradient;
            for (int j = 0; j < gradient.Length; j++)
            {
                gradient[j] += slope * (Bench.Train.Chosen.Row(i)[j] - Bench.Train.Rejected.Row(i)[j]) / Bench.Train.Count;
            }
        }

        for (int j = 0; j < gradient.Length; j++)
        {
            Assert.AreEqual(0, gradient[j] + (lambda * head.Parameters[j]), 1e-4, $"gradient[{j}]");
        }
    }

    [TestMethod]
    public void ResultDoesNotDependOnTheNumberOfThreads()
    {
        PairwiseTrainerOptions Options(int threads) => new() { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, MaxDegreeOfParallelism = threads };
        var one = new PairwiseTrainer(Options(1)).Fit(Bench.Train).Head.Parameters;
        var two = new PairwiseTrainer(Options(2)).Fit(Bench.Train).Head.Parameters;
        CollectionAssert.AreEqual(one, two);
    }

    [TestMethod]
    public void OptionsRejectFullBatchTrainingOfAnMlp()
    {
        var options = new PairwiseTrainerOptions { Head = new MlpHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs };
        var error = Assert.ThrowsExactly<ArgumentException>(options.Validate);
        StringAssert.Contains(error.Message, "linear head");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, Lbfgs = new LbfgsOptions { L2Regularization = -1 } }.Validate());
    }

    [TestMethod]
    public void MiniBatchOptionsAreRefusedWithFullBatchTrainingInsteadOfIgnored()
    {
        var error = Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, MaxEpochs = 5 }.Validate());
        Assert.AreEqual(nameof(PairwiseTrainerOptions.MaxEpochs), error.ParamName);
        StringAssert.Contains(error.Message, "FullBatchLbfgs");
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, LearningRate = 0.1f }.Validate());
        Assert.ThrowsExactly<InvalidOptionException>(() => new PairwiseTrainerOptions { Optimizer = (PairwiseOptimizer)7 }.Validate());
        new PairwiseTrainerOptions { Head = new LinearHeadSpec(), Optimizer = PairwiseOptimizer.FullBatchLbfgs, Lbfgs = new LbfgsOptions { MaxIterations = 5 } }.Validate();
    }
}
