using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNet.Rewards.Featurization;
using MLNet.Rewards.Persistence;
using Microsoft.Data.Sqlite;

namespace MLNet.Rewards.Storage;

// Float32/Float16 name the encodings, as in every tensor library (CA1720).
#pragma warning disable CA1720
/// <summary>How stored vectors are encoded.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StoredPrecision>))]
public enum StoredPrecision
{
    /// <summary>4 bytes per element, exact.</summary>
    Float32 = 4,

    /// <summary>2 bytes per element (IEEE half): half the size, about 3 significant digits.</summary>
    Float16 = 2,
}
#pragma warning restore CA1720

/// <summary>Settings of an <see cref="EmbeddingStore"/>.</summary>
public sealed record EmbeddingStoreOptions
{
    /// <summary>How new vectors are written (rows already stored keep theirs; both are read).</summary>
    public StoredPrecision Precision { get; init; } = StoredPrecision.Float32;

    /// <summary>Vectors written per transaction: an interrupted run loses at most this many.</summary>
    public int CommitChunk { get; init; } = 256;

    /// <summary>Open without writing (several processes may read one store while another writes).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Checks the settings, with a message naming the bad one.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "unknown precision");
        }

        if (CommitChunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CommitChunk), CommitChunk, "must be at least 1");
        }
    }
}

/// <summary>
/// Text embeddings kept on disk in SQLite (write-ahead log: many readers and one writer at a time), keyed by
/// SHA-256 of (embedding identity, text), where the identity says what determines the vector: for the ONNX encoder
/// the model file's hash, pooling, normalisation and maximum length. Writes are committed in chunks, so a run that is
/// killed loses at most one chunk and the next run resumes. A file that is not a store, or a damaged store, is reported
/// and never overwritten. Thread-safe.
/// </summary>
public sealed class EmbeddingStore : IDisposable
{
    private const string Format = "mlnet-rewards-embeddings";
    private const string FormatVersion = "1";
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();

    private EmbeddingStore(string path, EmbeddingStoreOptions options, SqliteConnection connection)
    {
        Path = path;
        Options = options;
        _connection = connection;
    }

    /// <summary>The store file.</summary>
    public string Path { get; }

    /// <summary>The settings.</summary>
    public EmbeddingStoreOptions Options { get; }

    /// <summary>Number of stored vectors.</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                using var command = Command("SELECT COUNT(*) FROM embeddings");
                return (long)command.ExecuteScalar()!;
            }
        }
    }

    /// <summary>
    /// Opens the store at <paramref name="path"/>, creating it if the file does not exist. Throws
    /// <see cref="ModelFormatException"/> when the file is not an embedding store or is damaged.
    /// </summary>
    public static EmbeddingStore Open(string path, EmbeddingStoreOptions? options = null)
    {
        options ??= new EmbeddingStoreOptions();
        options.Validate();
        path = System.IO.Path.GetFullPath(path);
        bool exists = File.Exists(path) && new FileInfo(path).Length > 0;
        if (exists)
        {
            CheckHeader(path);
        }
        else if (options.ReadOnly)
        {
            throw new FileNotFoundException($"embedding store not found: {path}", path);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = options.ReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var store = new EmbeddingStore(path, options, connection);
            store.Initialise(exists);
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26)
        {
            connection.Dispose();
            throw Damaged(path, e.Message, e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The identity that keys an embedder's vectors: what determines them, not how fast they are made.</summary>
    public static string IdentityOf(FeaturizerSpec spec) =>
        spec is IEmbeddingIdentity identity ? identity.EmbeddingIdentity : JsonSerializer.Serialize(spec, ModelArchive.JsonOptions);

    /// <summary>The 16-byte key of <paramref name="text"/> under <paramref name="identity"/>.</summary>
    public static byte[] KeyOf(string identity, string text)
    {
        int length = Encoding.UTF8.GetByteCount(identity) + 1 + Encoding.UTF8.GetByteCount(text);
        var bytes = length <= 4096 ? stackalloc byte[length] : new byte[length];
        int written = Encoding.UTF8.GetBytes(identity, bytes);
        bytes[written++] = 0;
        Encoding.UTF8.GetBytes(text, bytes[written..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        return hash[..16].ToArray();
    }

    /// <summary>
    /// Reads the vectors of <paramref name="keys"/> into the rows of <paramref name="destination"/> (row length
    /// <paramref name="dimension"/>); returns which were found.
    /// </summary>
    public bool[] TryGetMany(IReadOnlyList<byte[]> keys, int dimension, Span<float> destination)
    {
        var found = new bool[keys.Count];
        var vectors = new (StoredPrecision Precision, byte[] Bytes)?[keys.Count];
        ForEachKey("SELECT precision, vector FROM embeddings WHERE key = $key", keys, (i, command) =>
        {
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                vectors[i] = ((StoredPrecision)reader.GetInt32(0), (byte[])reader.GetValue(1));
            }
        });
        for (int i = 0; i < keys.Count; i++)
        {
            if (vectors[i] is { } stored)
            {
                Decode(stored.Precision, stored.Bytes, destination.Slice(i * dimension, dimension));
                found[i] = true;
            }
        }

        return found;
    }

    /// <summary>Which of <paramref name="keys"/> are stored (without reading their vectors).</summary>
    public bool[] ContainsMany(IReadOnlyList<byte[]> keys)
    {
        var found = new bool[keys.Count];
        ForEachKey("SELECT 1 FROM embeddings WHERE key = $key", keys, (i, command) => found[i] = command.ExecuteScalar() is not null);
        return found;
    }

    /// <summary>Runs a one-key query for every key, in one read transaction (one consistent snapshot).</summary>
    private void ForEachKey(string sql, IReadOnlyList<byte[]> keys, Action<int, SqliteCommand> read)
    {
        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction(deferred: true);
            using var command = Command(sql);
            command.Transaction = transaction;
            var key = command.Parameters.Add("$key", SqliteType.Blob);
            for (int i = 0; i < keys.Count; i++)
            {
                key.Value = keys[i];
                read(i, command);
            }

            transaction.Commit();
        }
    }

    /// <summary>Writes vectors (rows of <paramref name="vectors"/>) under <paramref name="keys"/> in one transaction.</summary>
    public void PutMany(IReadOnlyList<byte[]> keys, int dimension, ReadOnlySpan<float> vectors)
    {
        if (Options.ReadOnly)
        {
            throw new InvalidOperationException($"{Path} was opened read-only");
        }

        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = Command("INSERT OR REPLACE INTO embeddings (key, dimension, precision, vector) VALUES ($key, $dimension, $precision, $vector)");
            command.Transaction = transaction;
            var key = command.Parameters.Add("$key", SqliteType.Blob);
            command.Parameters.AddWithValue("$dimension", dimension);
            command.Parameters.AddWithValue("$precision", (int)Options.Precision);
            var vector = command.Parameters.Add("$vector", SqliteType.Blob);
            for (int i = 0; i < keys.Count; i++)
            {
                key.Value = keys[i];
                vector.Value = Encode(vectors.Slice(i * dimension, dimension));
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>
    /// Rounds <paramref name="vector"/> in place to what the store keeps (a no-op for float32), so that a vector just
    /// computed equals the one a later run reads back.
    /// </summary>
    public void RoundToStoredPrecision(Span<float> vector)
    {
        if (Options.Precision == StoredPrecision.Float16)
        {
            var halves = new Half[vector.Length];
            System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(vector, halves);
            System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(halves, vector);
        }
    }

    /// <summary>Closes the store.</summary>
    public void Dispose() => _connection.Dispose();

    private void Initialise(bool existed)
    {
        if (!Options.ReadOnly)
        {
            Execute("PRAGMA journal_mode=WAL");
            Execute("PRAGMA synchronous=NORMAL");
        }

        using (var check = Command("PRAGMA quick_check"))
        {
            string result = check.ExecuteScalar() as string ?? "no result";
            if (result != "ok")
            {
                throw Damaged(Path, result, null);
            }
        }

        bool hasMeta;
        using (var tables = Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'embeddings')"))
        {
            hasMeta = (long)tables.ExecuteScalar()! == 2;
        }

        if (hasMeta)
        {
            using var format = Command("SELECT value FROM meta WHERE key = 'format'");
            using var version = Command("SELECT value FROM meta WHERE key = 'version'");
            if (format.ExecuteScalar() as string != Format)
            {
                throw new ModelFormatException(Path, "this SQLite file is not an MLNet.Rewards embedding store; it was left untouched (choose another store file)");
            }

            if (version.ExecuteScalar() as string != FormatVersion)
            {
                throw new ModelFormatException(Path, $"embedding store format version {version.ExecuteScalar()} is not supported (this build reads version {FormatVersion})");
            }

            return;
        }

        using (var anyTable = Command("SELECT COUNT(*) FROM sqlite_master"))
        {
            if (existed && (long)anyTable.ExecuteScalar()! > 0)
            {
                throw new ModelFormatException(Path, "this SQLite database is not an MLNet.Rewards embedding store; it was left untouched (choose another store file)");
            }
        }

        if (Options.ReadOnly)
        {
            throw new ModelFormatException(Path, "this file is not an MLNet.Rewards embedding store");
        }

        using var transaction = _connection.BeginTransaction();
        foreach (string sql in new[]
        {
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE embeddings (key BLOB PRIMARY KEY, dimension INTEGER NOT NULL, precision INTEGER NOT NULL, vector BLOB NOT NULL) WITHOUT ROWID",
            $"INSERT INTO meta VALUES ('format', '{Format}'), ('version', '{FormatVersion}')",
        })
        {
            using var command = Command(sql);
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private byte[] Encode(ReadOnlySpan<float> vector)
    {
        if (Options.Precision == StoredPrecision.Float32)
        {
            return MemoryMarshal.AsBytes(vector).ToArray();
        }

        var halves = new Half[vector.Length];
        System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(vector, halves);
        return MemoryMarshal.AsBytes(halves.AsSpan()).ToArray();
    }

    private void Decode(StoredPrecision precision, byte[] bytes, Span<float> destination)
    {
        if (bytes.Length != destination.Length * (int)precision)
        {
            throw new ModelFormatException(Path, $"a stored vector has {bytes.Length} bytes; {destination.Length} {precision} elements were expected (was the store written by a different embedder?)");
        }

        if (precision == StoredPrecision.Float32)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(bytes), destination);
        }
    }

    private static void CheckHeader(string path)
    {
        var header = new byte[SqliteHeader.Length];
        int read;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }

        if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
        {
            throw new ModelFormatException(path, "this file is not an embedding store (not a SQLite database); it was left untouched (remove it or choose another store file)");
        }
    }

    private static ModelFormatException Damaged(string path, string detail, Exception? inner) =>
        new(path, $"the embedding store is damaged ({detail}); it was left untouched. Move it aside and embed again, or restore a copy", inner);

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}
