using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards;

/// <summary>
/// Input-column checks shared by every estimator and transformer, with messages that name the column, its role, what was
/// expected and what was found. They throw <see cref="ArgumentOutOfRangeException"/> (parameter <c>inputSchema</c>), as
/// ML.NET's own schema checks do.
/// </summary>
internal static class SchemaChecks
{
    /// <summary>The parameter name ML.NET's own schema errors carry.</summary>
    private static readonly string SchemaParameter = "inputSchema";

    public static void RequireText(DataViewSchema schema, string name, string role)
    {
        var column = Find(schema, name, role);
        if (column.Type is not TextDataViewType)
        {
            throw Mismatch(name, role, "text (String)", $"{column.Type}");
        }
    }

    public static void RequireBoolean(DataViewSchema schema, string name, string role)
    {
        var column = Find(schema, name, role);
        if (column.Type is not BooleanDataViewType)
        {
            throw Mismatch(name, role, "Boolean", $"{column.Type}");
        }
    }

    public static void RequireSingle(DataViewSchema schema, string name, string role)
    {
        var column = Find(schema, name, role);
        if (column.Type != NumberDataViewType.Single)
        {
            throw Mismatch(name, role, "Single", $"{column.Type}");
        }
    }

    /// <summary>
    /// Requires a vector of Single; when both the column's size and <paramref name="expectedSize"/> are known they must
    /// agree, <paramref name="expectedBecause"/> saying where the expected size comes from.
    /// </summary>
    /// <returns>The column's vector size, 0 when variable.</returns>
    public static int RequireFloatVector(DataViewSchema schema, string name, string role, int expectedSize = 0, string expectedBecause = "the model was fitted on")
    {
        var column = Find(schema, name, role);
        if (column.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
        {
            throw Mismatch(name, role, "a vector of Single", $"{column.Type}");
        }

        if (expectedSize > 0 && vector.IsKnownSize && vector.Size != expectedSize)
        {
            throw new ArgumentOutOfRangeException(SchemaParameter, $"column '{name}' ({role}) has {vector.Size} values per row but {expectedBecause} {expectedSize}");
        }

        return vector.IsKnownSize ? vector.Size : 0;
    }

    public static void RequireText(SchemaShape shape, string name, string role)
    {
        var column = Find(shape, name, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not TextDataViewType)
        {
            throw Mismatch(name, role, "text (String)", Describe(column));
        }
    }

    public static void RequireBoolean(SchemaShape shape, string name, string role)
    {
        var column = Find(shape, name, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is not BooleanDataViewType)
        {
            throw Mismatch(name, role, "Boolean", Describe(column));
        }
    }

    public static void RequireSingle(SchemaShape shape, string name, string role)
    {
        var column = Find(shape, name, role);
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
        {
            throw Mismatch(name, role, "Single", Describe(column));
        }
    }

    public static void RequireFloatVector(SchemaShape shape, string name, string role)
    {
        var column = Find(shape, name, role);
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.ItemType != NumberDataViewType.Single)
        {
            throw Mismatch(name, role, "a vector of Single", Describe(column));
        }
    }

    /// <summary>The check a mapping makes per row when the column's vector size is only known at run time.</summary>
    public static void RequireRowSize(int actual, int expected, string role)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"a row's {role} has {actual} values but the model was fitted on {expected}");
        }
    }

    private static DataViewSchema.Column Find(DataViewSchema schema, string name, string role)
        => schema.GetColumnOrNull(name) ?? throw Missing(name, role, schema.Where(c => !c.IsHidden).Select(c => c.Name));

    private static SchemaShape.Column Find(SchemaShape shape, string name, string role)
    {
        var column = shape.LastOrDefault(c => c.Name == name);
        return column.Name is not null ? column : throw Missing(name, role, shape.Select(c => c.Name));
    }

    private static ArgumentOutOfRangeException Missing(string name, string role, IEnumerable<string> available)
        => new(SchemaParameter, $"column '{name}' ({role}) is missing from the input; the input has: {string.Join(", ", available)}");

    private static ArgumentOutOfRangeException Mismatch(string name, string role, string expected, string actual)
        => new(SchemaParameter, $"column '{name}' ({role}) must be {expected}, but it is {actual}");

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"variable-size Vector<{column.ItemType}>",
    };
}
