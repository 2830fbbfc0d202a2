using System.Runtime.InteropServices;
using MLNet.Rewards.Data;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;
using MLNet.Rewards.Storage;
using Microsoft.Data.Sqlite;

namespace MLNet.Rewards.Tests.Storage;

/// <summary>Damage that SQLite's own checks do not see (vector bytes), foreign databases, and version 1 stores.</summary>
[TestClass]
public sealed class EmbeddingStoreDamageTests
{
    private const int Buckets = 256;
    private static readonly string[] Texts = [.. Enumerable.Range(0, 300).Select(i => $"text {i}: the {(i % 5 == 0 ? "quick" : "slow")} fox jumps over dog {i * 7}")];
    private static readonly HashingTextEmbedder Embedder = new(new HashingFeaturizerSpec { Buckets = Buckets });

    [TestMethod]
    public void AChangedByteInsideAVectorIsRefusedNamingTheTextAndThePair()
    {
        using var scope = new StoreFile();
        Fill(scope.Path);
        var pairs = new List<PreferencePair> { new("pair-17", "test", Texts[3], Texts[42], Texts[7]) };
        var expected = Embedder.EmbedAll([Texts[42]]).Data;
        ChangeStoredVector(scope.Path, expected, value => 1e27f);

        using var store = EmbeddingStore.Open(scope.Path);
        var featurizer = new PairFeaturizer(new CachedTextEmbedder(Embedder, store), FeatureLayout.Response);
        var e = Assert.ThrowsExactly<DamagedVectorException>(() => featurizer.Featurize(pairs));
        StringAssert.Contains(e.Message, "checksum");
        StringAssert.Contains(e.Message, "pair-17");
        StringAssert.Contains(e.Message, Texts[42]);
        Assert.AreEqual(Texts[42], e.Text);
    }

    [TestMethod]
    public void RandomBytesWrittenIntoAStoreNeverComeBackAsVectors()
    {
        var expected = Embedder.EmbedAll(Texts).Data;
        int refusedAtOpen = 0, refusedAtRead = 0;
        for (int seed = 0; seed < 6; seed++)
        {
            using var scope = new StoreFile();
            Fill(scope.Path);
            var bytes = File.ReadAllBytes(scope.Path);
            var random = new Random(seed);
            for (int i = 0; i < 200; i++)
            {
                bytes[random.Next(4096, bytes.Length)] = (byte)random.Next(256);
            }

            File.WriteAllBytes(scope.Path, bytes);
            EmbeddingStore store;
            try
            {
                store = EmbeddingStore.Open(scope.Path);
            }
            catch (ModelFormatException e)
            {
                StringAssert.Contains(e.Message, "damaged");
                refusedAtOpen++;
                continue;
            }

            using (store)
            {
                var keys = Texts.Select(t => EmbeddingStore.KeyOf(EmbeddingStore.IdentityOf(Embedder.Spec), t)).ToList();
                for (int i = 0; i < Texts.Length; i++)
                {
                    var vector = new float[Buckets];
                    try
                    {
                        var found = store.TryGetMany([keys[i]], Buckets, vector);
                        if (found[0])
                        {
                            CollectionAssert.AreEqual(expected.AsSpan(i * Buckets, Buckets).ToArray(), vector, $"seed {seed}: text {i} came back changed");
                        }
                    }
                    catch (Exception e) when (e is DamagedVectorException or ModelFormatException)
                    {
                        refusedAtRead++;
                    }
                }
            }
        }

        Assert.IsGreaterThan(0, refusedAtOpen + refusedAtRead, "200 random bytes in each of 6 stores were noticed somewhere");
    }

    [TestMethod]
    public void AnotherApplicationsDatabaseKeepsItsJournalModeAndBytes()
    {
        using var scope = new StoreFile();
        using (var connection = new SqliteConnection($"Data Source={scope.Path};Pooling=false"))
        {
            connection.Open();
            Run(connection, "PRAGMA journal_mode=DELETE");
            Run(connection, "CREATE TABLE customers (name TEXT)");
            Run(connection, "INSERT INTO customers VALUES ('Ada')");
        }

        var before = File.ReadAllBytes(scope.Path);
        var e = Assert.ThrowsExactly<ModelFormatException>(() => EmbeddingStore.Open(scope.Path));
        StringAssert.Contains(e.Message, "left untouched");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(scope.Path));
        Assert.IsFalse(File.Exists(scope.Path + "-wal"), "no write-ahead log was made");
        using (var connection = new SqliteConnection($"Data Source={scope.Path};Mode=ReadOnly;Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode";
            Assert.AreEqual("delete", command.ExecuteScalar() as string);
        }

        CollectionAssert.AreEqual(before, File.ReadAllBytes(scope.Path));
    }

    [TestMethod]
    public void AVersion1StoreIsUpgradedWhenOpenedForWritingAndRefusedReadOnlyBefore()
    {
        using var scope = new StoreFile();
        var vectors = Embedder.EmbedAll(Texts[..20]);
        WriteVersion1Store(scope.Path, Texts[..20], vectors.Data);

        var readOnly = Assert.ThrowsExactly<ModelFormatException>(() => EmbeddingStore.Open(scope.Path, new EmbeddingStoreOptions { ReadOnly = true }));
        StringAssert.Contains(readOnly.Message, "version 1");
        StringAssert.Contains(readOnly.Message, "open it once for writing");

        using (var store = EmbeddingStore.Open(scope.Path))
        {
            var cached = new CachedTextEmbedder(Embedder, store);
            CollectionAssert.AreEqual(vectors.Data, cached.EmbedAll(Texts[..20]).Data);
            Assert.AreEqual(20, cached.Hits);
        }

        using (var store = EmbeddingStore.Open(scope.Path, new EmbeddingStoreOptions { ReadOnly = true }))
        {
            Assert.AreEqual(20, store.Count);
        }

        ChangeStoredVector(scope.Path, vectors.Data.AsSpan(5 * Buckets, Buckets).ToArray(), value => -value);
        using (var store = EmbeddingStore.Open(scope.Path))
        {
            Assert.ThrowsExactly<DamagedVectorException>(() => new CachedTextEmbedder(Embedder, store).EmbedAll(Texts[..20]));
        }
    }

    [TestMethod]
    public void AVersion1StoreHoldingANonFiniteVectorIsRefusedAndNotUpgraded()
    {
        using var scope = new StoreFile();
        var vectors = Embedder.EmbedAll(Texts[..10]).Data;
        vectors[3 * Buckets + 1] = float.NaN;
        WriteVersion1Store(scope.Path, Texts[..10], vectors);

        var e = Assert.ThrowsExactly<DamagedVectorException>(() => EmbeddingStore.Open(scope.Path));
        StringAssert.Contains(e.Message, "NaN");
        CollectionAssert.AreEqual(EmbeddingStore.KeyOf(EmbeddingStore.IdentityOf(Embedder.Spec), Texts[3]), e.Key.ToArray());
        using var connection = new SqliteConnection($"Data Source={scope.Path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'version'";
        Assert.AreEqual("1", command.ExecuteScalar() as string, "the failed upgrade was rolled back");
    }

    [TestMethod]
    public void NonFiniteVectorsAreNeverStored()
    {
        using var scope = new StoreFile();
        using var store = EmbeddingStore.Open(scope.Path);
        var key = EmbeddingStore.KeyOf("x", "y");
        Assert.ThrowsExactly<ArgumentException>(() => store.PutMany([key], 2, [1f, float.PositiveInfinity]));
        Assert.AreEqual(0, store.Count);
    }

    private static void Fill(string path)
    {
        using var store = EmbeddingStore.Open(path);
        new CachedTextEmbedder(Embedder, store).EnsureStored(Texts);
    }

    /// <summary>
    /// Finds the bytes of <paramref name="vector"/>'s first non-zero elements in the file (after checkpointing the log;
    /// a row longer than a page continues on overflow pages, so only a short run is looked for) and changes the first,
    /// at every place (b-tree page splits leave stale copies in free space).
    /// </summary>
    private static void ChangeStoredVector(string path, float[] vector, Func<float, float> change)
    {
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            Run(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }

        var bytes = File.ReadAllBytes(path);
        int element = Array.FindIndex(vector, v => v != 0);
        var needle = MemoryMarshal.AsBytes(vector.AsSpan(element, 8)).ToArray();
        float changed = change(vector[element]);
        int places = 0;
        for (int at = bytes.AsSpan().IndexOf(needle); at >= 0; at = bytes.AsSpan().IndexOf(needle))
        {
            MemoryMarshal.Write(bytes.AsSpan(at), in changed);
            places++;
        }

        Assert.IsGreaterThan(0, places, "the vector's bytes are in the file");
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A store as version 1 wrote it: no checksum column.</summary>
    private static void WriteVersion1Store(string path, string[] texts, float[] vectors)
    {
        string identity = EmbeddingStore.IdentityOf(Embedder.Spec);
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        Run(connection, "PRAGMA journal_mode=WAL");
        Run(connection, "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        Run(connection, "CREATE TABLE embeddings (key BLOB PRIMARY KEY, dimension INTEGER NOT NULL, precision INTEGER NOT NULL, vector BLOB NOT NULL) WITHOUT ROWID");
        Run(connection, "INSERT INTO meta VALUES ('format', 'mlnet-rewards-embeddings'), ('version', '1')");
        for (int i = 0; i < texts.Length; i++)
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO embeddings VALUES ($key, $dimension, 4, $vector)";
            insert.Parameters.AddWithValue("$key", EmbeddingStore.KeyOf(identity, texts[i]));
            insert.Parameters.AddWithValue("$dimension", Buckets);
            insert.Parameters.AddWithValue("$vector", MemoryMarshal.AsBytes(vectors.AsSpan(i * Buckets, Buckets)).ToArray());
            insert.ExecuteNonQuery();
        }

        Run(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A temporary store path, deleted with its WAL files afterwards.</summary>
    private sealed class StoreFile : IDisposable
    {
        public string Path { get; } = TestData.TempPath(".sqlite");

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            foreach (string suffix in new[] { string.Empty, "-wal", "-shm" })
            {
                File.Delete(Path + suffix);
            }
        }
    }
}
