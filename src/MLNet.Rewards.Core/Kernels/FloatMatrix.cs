namespace MLNet.Rewards;

/// <summary>A dense row-major float32 matrix over one contiguous buffer.</summary>
public sealed class FloatMatrix
{
    /// <summary>Allocates a zero matrix.</summary>
    public FloatMatrix(int rows, int columns)
        : this(rows, columns, new float[checked(rows * columns)])
    {
    }

    /// <summary>Wraps an existing buffer of exactly <paramref name="rows"/> x <paramref name="columns"/> floats.</summary>
    public FloatMatrix(int rows, int columns, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (data.Length != rows * columns)
        {
            throw new ArgumentException($"buffer holds {data.Length} floats, a {rows} x {columns} matrix needs {rows * columns}", nameof(data));
        }

        Rows = rows;
        Columns = columns;
        Data = data;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns (the length of each row).</summary>
    public int Columns { get; }

    /// <summary>The row-major buffer.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="index"/>.</summary>
    public Span<float> Row(int index) => Data.AsSpan(index * Columns, Columns);
}
