using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Rewards;

/// <summary>
/// The column checks of <see cref="SchemaChecks"/> against either a schema (at <c>Fit</c>) or a schema shape (at the
/// estimator's <c>GetOutputSchema</c>), so that an estimator states the columns it needs once.
/// </summary>
internal abstract class ColumnRequirements
{
    public static ColumnRequirements Of(DataViewSchema schema) => new SchemaRequirements(schema);

    public static ColumnRequirements Of(SchemaShape shape) => new ShapeRequirements(shape);

    public abstract void Text(string name, string role);

    public abstract void Boolean(string name, string role);

    public abstract void Single(string name, string role);

    public abstract void FloatVector(string name, string role);

    private sealed class SchemaRequirements(DataViewSchema schema) : ColumnRequirements
    {
        public override void Text(string name, string role) => SchemaChecks.RequireText(schema, name, role);

        public override void Boolean(string name, string role) => SchemaChecks.RequireBoolean(schema, name, role);

        public override void Single(string name, string role) => SchemaChecks.RequireSingle(schema, name, role);

        public override void FloatVector(string name, string role) => SchemaChecks.RequireFloatVector(schema, name, role);
    }

    private sealed class ShapeRequirements(SchemaShape shape) : ColumnRequirements
    {
        public override void Text(string name, string role) => SchemaChecks.RequireText(shape, name, role);

        public override void Boolean(string name, string role) => SchemaChecks.RequireBoolean(shape, name, role);

        public override void Single(string name, string role) => SchemaChecks.RequireSingle(shape, name, role);

        public override void FloatVector(string name, string role) => SchemaChecks.RequireFloatVector(shape, name, role);
    }
}
