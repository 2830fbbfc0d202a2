namespace MLNet.Rewards;

/// <summary>The checks every options record makes of its column names, with the same messages.</summary>
internal static class ColumnOptions
{
    /// <summary>Columns the component needs: each a non-empty name (value and option name).</summary>
    public static void Required(IEnumerable<(string Value, string Option)> columns)
    {
        foreach (var (value, option) in columns)
        {
            OptionValidation.Require(!string.IsNullOrEmpty(value), option, value, "must name a column");
        }
    }

    /// <summary>Columns the component may do without: each null or a non-empty name.</summary>
    public static void Optional(IEnumerable<(string? Value, string Option)> columns)
    {
        foreach (var (value, option) in columns)
        {
            OptionValidation.Require(value is null || value.Length > 0, option, value, "must be null or name a column");
        }
    }
}
