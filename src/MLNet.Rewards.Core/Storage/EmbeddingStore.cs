using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
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
        OptionValidation.Require(Enum.IsDefined(Precision), nameof(Precision), Precision, "must be Float32 or Float16");
        OptionValidation.Require(CommitChunk >= 1, nameof(CommitChunk), CommitChunk, "must be at least 1");
    }
}

/// <summary>
/// Text embeddings kept on disk in SQLite (write-ahead log: many readers and one writer at a time), keyed by
/// SHA-256 of (embedding identity, text), where the identity says what determines the vector: for the ONNX encoder
/// the model file's hash, pooling, normalisation and maximum length. Writes are committed in chunks, so a run that is
/// killed loses at most one chunk and the next run resumes. Every row carries a 64-bit XXH3 checksum of its key and
/// vector, checked on every read: SQLite's own checks see the b-tree structure but not the bytes of a vector. A file that
/// is not a store, or a damaged store, is reported and never changed (not even its journal mode). Thread-safe.
/// </summary>
public sealed class EmbeddingStore : IDisposable
{
    private const string Format = "mlnet-rewards-embeddings";
    private const string FormatVersion = "2";

    /// <summary>Version 1 stores (no checksums) are upgraded in place when opened for writing.</summary>
    private const string UncheckedFormatVersion = "1";
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
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
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
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
        var rows = new StoredRow?[keys.Count];
        ForEachKey("SELECT dimension, precision, vector, checksum FROM embeddings WHERE key = $key", keys, (i, command) =>
        {
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                rows[i] = StoredRow.Read(reader);
            }
        });
        for (int i = 0; i < keys.Count; i++)
        {
            if (rows[i] is { } stored)
            {
                var vector = destination.Slice(i * dimension, dimension);
                if (stored.Checksum != Checksum(keys[i], stored.Dimension, stored.Precision, stored.Vector))
                {
                    throw new DamagedVectorException(Path, keys[i], "its checksum does not match (the file was changed outside SQLite)", i);
                }

                Decode(stored.Precision, stored.Vector, vector);
                if (!TensorPrimitives.IsFiniteAll<float>(vector))
                {
                    throw new DamagedVectorException(Path, keys[i], "it holds NaN or infinite values", i);
                }

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
            try
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
            catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
            {
                throw Damaged(Path, e.Message, e);
            }
        }
    }

    /// <summary>Writes vectors (rows of <paramref name="vectors"/>) under <paramref name="keys"/> in one transaction.</summary>
    public void PutMany(IReadOnlyList<byte[]> keys, int dimension, ReadOnlySpan<float> vectors)
    {
        if (Options.ReadOnly)
        {
            throw new InvalidOperationException($"{Path} was opened read-only");
        }

        for (int i = 0; i < keys.Count; i++)
        {
            if (!TensorPrimitives.IsFiniteAll(vectors.Slice(i * dimension, dimension)))
            {
                throw new ArgumentException($"vector {i} holds NaN or infinite values; the store keeps finite vectors only", nameof(vectors));
            }
        }

        lock (_gate)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = Command("INSERT OR REPLACE INTO embeddings (key, dimension, precision, vector, checksum) VALUES ($key, $dimension, $precision, $vector, $checksum)");
            command.Transaction = transaction;
            var key = command.Parameters.Add("$key", SqliteType.Blob);
            command.Parameters.AddWithValue("$dimension", dimension);
            command.Parameters.AddWithValue("$precision", (int)Options.Precision);
            var vector = command.Parameters.Add("$vector", SqliteType.Blob);
            var checksum = command.Parameters.Add("$checksum", SqliteType.Integer);
            for (int i = 0; i < keys.Count; i++)
            {
                byte[] bytes = Encode(vectors.Slice(i * dimension, dimension));
                key.Value = keys[i];
                vector.Value = bytes;
                checksum.Value = Checksum(keys[i], dimension, Options.Precision, bytes);
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
        // Everything here only reads until the file is known to be a store (or a new, empty database): another
        // application's database given by mistake keeps its bytes and its journal mode.
        using (var check = Command("PRAGMA quick_check"))
        {
            string result = check.ExecuteScalar() as string ?? "no result";
            if (result != "ok")
            {
                throw Damaged(Path, result, null);
            }
        }

        string? version = ReadStoreVersion(existed);
        if (version is null && Options.ReadOnly)
        {
            throw new ModelFormatException(Path, "this file is not an MLNet.Rewards embedding store");
        }

        if (version == UncheckedFormatVersion && Options.ReadOnly)
        {
            throw new ModelFormatException(Path, $"embedding store format version {UncheckedFormatVersion} has no per-vector checksums; open it once for writing (e.g. run 'embed' with it) to upgrade it to version {FormatVersion}");
        }

        if (Options.ReadOnly)
        {
            return;
        }

        Execute("PRAGMA journal_mode=WAL");
        Execute("PRAGMA synchronous=NORMAL");
        if (version is null)
        {
            CreateSchema();
        }
        else if (version == UncheckedFormatVersion)
        {
            AddChecksums();
        }
    }

    /// <summary>
    /// The format version of the store, or null for an empty database; throws, changing nothing, when the file is
    /// another application's database or a version this build does not read.
    /// </summary>
    private string? ReadStoreVersion(bool existed)
    {
        using (var tables = Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'embeddings')"))
        {
            if ((long)tables.ExecuteScalar()! != 2)
            {
                using var anyTable = Command("SELECT COUNT(*) FROM sqlite_master");
                if (existed && (long)anyTable.ExecuteScalar()! > 0)
                {
                    throw new ModelFormatException(Path, "this SQLite database is not an MLNet.Rewards embedding store; it was left untouched (choose another store file)");
                }

                return null;
            }
        }

        using var format = Command("SELECT value FROM meta WHERE key = 'format'");
        if (format.ExecuteScalar() as string != Format)
        {
            throw new ModelFormatException(Path, "this SQLite file is not an MLNet.Rewards embedding store; it was left untouched (choose another store file)");
        }

        using var versionCommand = Command("SELECT value FROM meta WHERE key = 'version'");
        string? version = versionCommand.ExecuteScalar() as string;
        return version is FormatVersion or UncheckedFormatVersion
            ? version
            : throw new ModelFormatException(Path, $"embedding store format version {version} is not supported (this build reads versions {UncheckedFormatVersion} and {FormatVersion})");
    }

    private void CreateSchema()
    {
        using var transaction = _connection.BeginTransaction();
        foreach (string sql in new[]
        {
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "CREATE TABLE embeddings (key BLOB PRIMARY KEY, dimension INTEGER NOT NULL, precision INTEGER NOT NULL, vector BLOB NOT NULL, checksum INTEGER) WITHOUT ROWID",
            $"INSERT INTO meta VALUES ('format', '{Format}'), ('version', '{FormatVersion}')",
        })
        {
            using var command = Command(sql);
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>
    /// Upgrades a version 1 store in one transaction: adds the checksum column and fills it, after checking that every
    /// vector has the size its row declares and only finite values (damage that version 1 could not see is refused,
    /// not sealed with a checksum).
    /// </summary>
    private void AddChecksums()
    {
        using var transaction = _connection.BeginTransaction();
        using (var alter = Command("ALTER TABLE embeddings ADD COLUMN checksum INTEGER"))
        {
            alter.Transaction = transaction;
            alter.ExecuteNonQuery();
        }

        var sums = new List<(byte[] Key, long Checksum)>();
        using (var select = Command("SELECT dimension, precision, vector, checksum, key FROM embeddings"))
        {
            select.Transaction = transaction;
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var row = StoredRow.Read(reader);
                var key = (byte[])reader.GetValue(4);
                var decoded = new float[row.Dimension];
                if (row.Vector.Length != row.Dimension * (int)row.Precision)
                {
                    throw new DamagedVectorException(Path, key, $"it has {row.Vector.Length} bytes for {row.Dimension} {row.Precision} elements (found while adding checksums to a version {UncheckedFormatVersion} store)");
                }

                Decode(row.Precision, row.Vector, decoded);
                if (!TensorPrimitives.IsFiniteAll<float>(decoded))
                {
                    throw new DamagedVectorException(Path, key, $"it holds NaN or infinite values (found while adding checksums to a version {UncheckedFormatVersion} store)");
                }

                sums.Add((key, Checksum(key, row.Dimension, row.Precision, row.Vector)));
            }
        }

        using (var update = Command("UPDATE embeddings SET checksum = $checksum WHERE key = $key"))
        {
            update.Transaction = transaction;
            var key = update.Parameters.Add("$key", SqliteType.Blob);
            var checksum = update.Parameters.Add("$checksum", SqliteType.Integer);
            foreach (var (k, c) in sums)
            {
                key.Value = k;
                checksum.Value = c;
                update.ExecuteNonQuery();
            }
        }

        using (var version = Command($"UPDATE meta SET value = '{FormatVersion}' WHERE key = 'version'"))
        {
            version.Transaction = transaction;
            version.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>XXH3 (64-bit) of the key, the row's dimension and precision, and the vector's bytes.</summary>
    private static long Checksum(byte[] key, int dimension, StoredPrecision precision, byte[] vector)
    {
        var hash = new XxHash3();
        hash.Append(key);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, dimension);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], (int)precision);
        hash.Append(header);
        hash.Append(vector);
        return unchecked((long)hash.GetCurrentHashAsUInt64());
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

    /// <summary>A row as stored (the checksum is null only in a version 1 store, and then never matches).</summary>
    private readonly record struct StoredRow(int Dimension, StoredPrecision Precision, byte[] Vector, long? Checksum)
    {
        /// <summary>Reads columns dimension, precision, vector, checksum (in that order).</summary>
        public static StoredRow Read(SqliteDataReader reader) =>
            new(reader.GetInt32(0), (StoredPrecision)reader.GetInt32(1), (byte[])reader.GetValue(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
    }
}
