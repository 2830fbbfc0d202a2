using MLNet.Rewards.Ensembles;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Heads;
using MLNet.Rewards.Models;
using MLNet.Rewards.MultiObjective;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Scoring;

namespace MLNet.Rewards.Tests;

/// <summary>The shared model base: one zip writer (path, stream, bytes) and one loader that dispatches on the component.</summary>
[TestClass]
public sealed class RewardModelTests
{
    private static readonly string[] Prompts = ["p", "q"];
    private static readonly string[] Responses = ["a short answer", "a different, longer answer"];

    private static PairwiseRewardModel Pairwise()
    {
        var embedder = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 });
        var head = new LinearRewardHead(ResponseFeatures.Dimension(FeatureLayout.Response, 32));
        for (int i = 0; i < head.Parameters.Length; i++)
        {
            head.Parameters[i] = (i % 5) - 2;
        }

        return new PairwiseRewardModel(embedder, FeatureLayout.Response, head);
    }

    private static EnsembleRewardModel Ensemble()
    {
        var embedder = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 16 });
        int dimension = ResponseFeatures.Dimension(FeatureLayout.Response, 16);
        var ensemble = new RewardEnsemble([new MlpHeadSpec { HiddenSizes = [4] }.Create(dimension, 1), new MlpHeadSpec { HiddenSizes = [4] }.Create(dimension, 2)]);
        return new EnsembleRewardModel(embedder, FeatureLayout.Response, ensemble, EnsembleAggregator.LowerConfidenceBound(1.5));
    }

    [TestMethod]
    public void PathStreamAndBytesWriteTheSameZip()
    {
        foreach (RewardModel model in new RewardModel[] { Pairwise(), Ensemble() })
        {
            string path = TestData.TempPath(".zip");
            try
            {
                model.Save(path);
                using var stream = new MemoryStream();
                stream.Write([1, 2, 3]);
                model.Save(stream);
                CollectionAssert.AreEqual(File.ReadAllBytes(path), model.ToBytes(), model.Component);
                CollectionAssert.AreEqual(model.ToBytes(), stream.ToArray()[3..], $"{model.Component}: the stream gets the zip at its position");
                Assert.AreEqual(model.Component, ModelArchive.ReadComponent(path));
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    [TestMethod]
    public void LoadDispatchesOnTheComponentFromAPathAndAStream()
    {
        var pairwise = Pairwise();
        var ensemble = Ensemble();
        string pairwisePath = TestData.TempPath(".zip"), ensemblePath = TestData.TempPath(".zip");
        try
        {
            pairwise.Save(pairwisePath);
            ensemble.Save(ensemblePath);
            var fromPath = RewardModel.Load(pairwisePath);
            using var pairwiseStream = new MemoryStream(pairwise.ToBytes());
            var fromStream = RewardModel.Load(pairwiseStream);
            foreach (var loaded in new[] { fromPath, fromStream })
            {
                var typed = (PairwiseRewardModel)loaded;
                CollectionAssert.AreEqual(pairwise.Score(Prompts, Responses), typed.Score(Prompts, Responses));
                Assert.AreEqual(pairwise.Description, loaded.Description);
                Assert.AreEqual(PairwiseRewardModel.ComponentName, loaded.Component);
            }

            var ensembleFromPath = (EnsembleRewardModel)RewardModel.Load(ensemblePath);
            using var ensembleStream = new MemoryStream(ensemble.ToBytes());
            var ensembleFromStream = (EnsembleRewardModel)RewardModel.Load(ensembleStream);
            foreach (var loaded in new[] { ensembleFromPath, ensembleFromStream })
            {
                Assert.AreEqual(ensemble.Aggregator, loaded.Aggregator);
                CollectionAssert.AreEqual(ensemble.Score(Prompts, Responses).Rewards, loaded.Score(Prompts, Responses).Rewards);
                CollectionAssert.AreEqual(ensemble.Score(Prompts, Responses).StdDevs, loaded.Score(Prompts, Responses).StdDevs);
            }
        }
        finally
        {
            File.Delete(pairwisePath);
            File.Delete(ensemblePath);
        }
    }

    [TestMethod]
    public void TypedStreamLoadsCheckTheComponent()
    {
        var pairwise = Pairwise();
        using (var stream = new MemoryStream(pairwise.ToBytes()))
        {
            CollectionAssert.AreEqual(pairwise.Score(Prompts, Responses), PairwiseRewardModel.Load(stream).Score(Prompts, Responses));
        }

        using (var stream = new MemoryStream(pairwise.ToBytes()))
        {
            var error = Assert.ThrowsExactly<ModelFormatException>(() => EnsembleRewardModel.Load(stream));
            Assert.AreEqual("the model stream: holds a 'pairwise-reward' model, not a 'reward-ensemble' model", error.Message);
        }

        using (var stream = new MemoryStream(Ensemble().ToBytes()))
        {
            var error = Assert.ThrowsExactly<ModelFormatException>(() => MultiObjectiveRewardModel.Load(stream));
            StringAssert.Contains(error.Message, "holds a 'reward-ensemble' model, not a 'multi-objective-reward' model");
        }
    }

    [TestMethod]
    public void StreamLoadsKeepTheArchiveChecksAndNameAFileStream()
    {
        byte[] bytes = Pairwise().ToBytes();
        using (var truncated = new MemoryStream(bytes[..^10]))
        {
            var error = Assert.ThrowsExactly<ModelFormatException>(() => RewardModel.Load(truncated));
            StringAssert.StartsWith(error.Message, "the model stream: ");
        }

        using (var other = new MemoryStream(ModelArchive.ToBytes("something-else", [], [])))
        {
            StringAssert.Contains(Assert.ThrowsExactly<ModelFormatException>(() => RewardModel.Load(other)).Message, "does not score responses");
        }

        string path = TestData.TempPath(".zip");
        try
        {
            File.WriteAllBytes(path, bytes[..^10]);
            using var file = File.OpenRead(path);
            var error = Assert.ThrowsExactly<ModelFormatException>(() => RewardModel.Load(file));
            Assert.AreEqual(path, error.Path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AStreamThatCannotSeekIsReadToItsEnd()
    {
        var model = Pairwise();
        using var stream = new ForwardOnlyStream(model.ToBytes());
        var loaded = (PairwiseRewardModel)RewardModel.Load(stream);
        CollectionAssert.AreEqual(model.Score(Prompts, Responses), loaded.Score(Prompts, Responses));
    }

    [TestMethod]
    public void ModelsScoreAsRewardScorers()
    {
        var pairwise = Pairwise();
        var scores = ((IRewardScorer)pairwise).Score(Prompts, Responses);
        CollectionAssert.AreEqual(pairwise.Score(Prompts, Responses), scores.Select(s => s.Reward).ToArray());
        Assert.IsTrue(scores.All(s => s.Explanation is null));
        Assert.AreEqual("pairwise-reward (linear head on hashing-32)", pairwise.Description);

        var ensemble = Ensemble();
        var expected = ensemble.Score(Prompts, Responses);
        var ensembleScores = ((IRewardScorer)ensemble).Score(Prompts, Responses);
        CollectionAssert.AreEqual(expected.Rewards, ensembleScores.Select(s => s.Reward).ToArray());
        CollectionAssert.AreEqual(expected.StdDevs, ensembleScores.Select(s => s.Explanation![EnsembleRewardModel.StdDevKey]).ToArray());
        Assert.AreEqual("reward-ensemble (2 members, LowerConfidenceBound)", ensemble.Description);
    }

    /// <summary>A read-only stream without Length or Seek, returning a few bytes per read.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1000), bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
