using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Storage;

namespace MLNet.Rewards.Tests.Storage;

[TestClass]
public sealed class EmbeddingStoreTests
{
    private static readonly string[] Texts = [.. Enumerable.Range(0, 50).Select(i => $"text number {i} about {(i % 3 == 0 ? "cats" : "dogs")}")];

    [TestMethod]
    public void Float32VectorsRoundTripExactlyAndASecondRunComputesNothing()
    {
        using var scope = new StoreFile();
        var inner = new CountingEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 64 }));
        float[] first, second;
        using (var store = EmbeddingStore.Open(scope.Path))
        {
            first = new CachedTextEmbedder(inner, store).EmbedAll(Texts).Data;
            Assert.AreEqual(Texts.Length, store.Count);
        }

        Assert.AreEqual(Texts.Length, inner.Embedded);
        using (var store = EmbeddingStore.Open(scope.Path))
        {
            var cached = new CachedTextEmbedder(inner, store);
            second = cached.EmbedAll(Texts).Data;
            Assert.AreEqual(Texts.Length, cached.Hits);
            Assert.AreEqual(0, cached.Computed);
        }

        Assert.AreEqual(Texts.Length, inner.Embedded);
        CollectionAssert.AreEqual(inner.Inner.EmbedAll(Texts).Data, second);
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void Float16VectorsAreCloseAndTheFirstRunReturnsWhatLaterRunsRead()
    {
        using var scope = new StoreFile();
        var inner = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 64 });
        var options = new EmbeddingStoreOptions { Precision = StoredPrecision.Float16 };
        float[] first;
        using (var store = EmbeddingStore.Open(scope.Path, options))
        {
            first = new CachedTextEmbedder(inner, store).EmbedAll(Texts).Data;
        }

        using (var store = EmbeddingStore.Open(scope.Path, options))
        {
            CollectionAssert.AreEqual(first, new CachedTextEmbedder(inner, store).EmbedAll(Texts).Data);
        }

        var exact = inner.EmbedAll(Texts).Data;
        for (int i = 0; i < exact.Length; i++)
        {
            Assert.AreEqual(exact[i], first[i], 1e-3f);
        }
    }

    [TestMethod]
    public void RepeatedTextsAreComputedOnce()
    {
        using var scope = new StoreFile();
        using var store = EmbeddingStore.Open(scope.Path);
        var inner = new CountingEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 }));
        var vectors = new CachedTextEmbedder(inner, store).EmbedAll(["a", "b", "a", "a"]);
        Assert.AreEqual(2, inner.Embedded);
        CollectionAssert.AreEqual(vectors.Row(0).ToArray(), vectors.Row(3).ToArray());
    }

    [TestMethod]
    public void DifferentFeaturizerSettingsDoNotShareVectors()
    {
        using var scope = new StoreFile();
        using var store = EmbeddingStore.Open(scope.Path);
        new CachedTextEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 }), store).EmbedAll(Texts);
        var other = new CachedTextEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32, Seed = 1 }), store);
        other.EmbedAll(Texts);
        Assert.AreEqual(0, other.Hits);
        Assert.AreEqual(2 * Texts.Length, store.Count);
    }

    [TestMethod]
    public void AnInterruptedRunKeepsItsCommittedChunksAndTheNextRunResumes()
    {
        using var scope = new StoreFile();
        var options = new EmbeddingStoreOptions { CommitChunk = 8 };
        var inner = new CountingEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 })) { FailAfter = 20 };
        using (var store = EmbeddingStore.Open(scope.Path, options))
        {
            Assert.ThrowsExactly<IOException>(() => new CachedTextEmbedder(inner, store).EnsureStored(Texts));
            Assert.AreEqual(16, store.Count, "two chunks of 8 were committed before the third failed");
        }

        inner.FailAfter = int.MaxValue;
        using (var store = EmbeddingStore.Open(scope.Path, options))
        {
            var before = inner.Embedded;
            var result = new CachedTextEmbedder(inner, store).EnsureStored(Texts);
            Assert.AreEqual(16, result.AlreadyStored);
            Assert.AreEqual(Texts.Length - 16, result.Computed);
            Assert.AreEqual(Texts.Length - 16, inner.Embedded - before);
            Assert.AreEqual(Texts.Length, store.Count);
        }
    }

    [TestMethod]
    public void ManyReadersReadWhileAWriterWrites()
    {
        using var scope = new StoreFile();
        var inner = new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 32 });
        var expected = inner.EmbedAll(Texts);
        using (var writerStore = EmbeddingStore.Open(scope.Path, new EmbeddingStoreOptions { CommitChunk = 5 }))
        {
            new CachedTextEmbedder(inner, writerStore).EnsureStored(Texts[..25]);
            using var stop = new CancellationTokenSource();
            var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                using var reader = EmbeddingStore.Open(scope.Path, new EmbeddingStoreOptions { ReadOnly = true });
                var keys = Texts[..25].Select(t => EmbeddingStore.KeyOf(EmbeddingStore.IdentityOf(inner.Spec), t)).ToList();
                int rounds = 0;
                while (!stop.IsCancellationRequested || rounds < 5)
                {
                    var vectors = new float[25 * 32];
                    var found = reader.TryGetMany(keys, 32, vectors);
                    Assert.IsTrue(found.All(f => f));
                    CollectionAssert.AreEqual(expected.Data[..(25 * 32)], vectors);
                    rounds++;
                }

                return rounds;
            })).ToArray();
            var extra = Enumerable.Range(0, 400).Select(i => $"more text {i}").ToArray();
            new CachedTextEmbedder(inner, writerStore).EnsureStored(extra);
            stop.Cancel();
            Task.WaitAll(readers);
            Assert.AreEqual(425, writerStore.Count);
        }
    }

    [TestMethod]
    public void AFileThatIsNotAStoreIsReportedAndLeftUntouched()
    {
        using var scope = new StoreFile();
        File.WriteAllText(scope.Path, "precious notes, not a database");
        var e = Assert.ThrowsExactly<ModelFormatException>(() => EmbeddingStore.Open(scope.Path));
        StringAssert.Contains(e.Message, "not an embedding store");
        Assert.AreEqual("precious notes, not a database", File.ReadAllText(scope.Path));
    }

    [TestMethod]
    public void ADamagedStoreIsReportedAndLeftUntouched()
    {
        using var scope = new StoreFile();
        using (var store = EmbeddingStore.Open(scope.Path))
        {
            new CachedTextEmbedder(new HashingTextEmbedder(new HashingFeaturizerSpec { Buckets = 256 }), store).EnsureStored(Texts);
        }

        // Overwrite the middle of the file (b-tree pages) with garbage, keeping the SQLite header.
        var bytes = File.ReadAllBytes(scope.Path);
        Assert.IsGreaterThan(3 * 4096, bytes.Length);
        for (int i = 4096; i < bytes.Length - 4096; i += 7)
        {
            bytes[i] = (byte)(i * 31);
        }

        File.WriteAllBytes(scope.Path, bytes);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => EmbeddingStore.Open(scope.Path));
        StringAssert.Contains(e.Message, "damaged");
        CollectionAssert.AreEqual(bytes, File.ReadAllBytes(scope.Path));
    }

    [TestMethod]
    public void ASqliteDatabaseOfSomethingElseIsNotTakenOver()
    {
        using var scope = new StoreFile();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={scope.Path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE customers (name TEXT)";
            command.ExecuteNonQuery();
        }

        var e = Assert.ThrowsExactly<ModelFormatException>(() => EmbeddingStore.Open(scope.Path));
        StringAssert.Contains(e.Message, "not an MLNet.Rewards embedding store");
    }

    /// <summary>Counts embedded texts; can fail part-way, as a killed run would stop.</summary>
    private sealed class CountingEmbedder(ITextEmbedder inner) : ITextEmbedder
    {
        public ITextEmbedder Inner => inner;

        public int Embedded { get; private set; }

        public int FailAfter { get; set; } = int.MaxValue;

        public int Dimension => inner.Dimension;

        public FeaturizerSpec Spec => inner.Spec;

        public void Embed(IReadOnlyList<string> texts, Span<float> destination)
        {
            if (Embedded + texts.Count > FailAfter)
            {
                throw new IOException("interrupted");
            }

            inner.Embed(texts, destination);
            Embedded += texts.Count;
        }
    }

    /// <summary>A temporary store path, deleted with its WAL files afterwards.</summary>
    private sealed class StoreFile : IDisposable
    {
        public string Path { get; } = TestData.TempPath(".sqlite");

        public void Dispose()
        {
            foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(Path + suffix);
            }
        }
    }
}
