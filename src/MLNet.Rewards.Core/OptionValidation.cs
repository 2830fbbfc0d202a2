namespace MLNet.Rewards;

/// <summary>Checks for options records: a failed check throws an <see cref="InvalidOptionException"/> naming the option, the rule and the value.</summary>
internal static class OptionValidation
{
    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    public static void Require(bool ok, string name, object? value, string rule)
    {
        if (!ok)
        {
            throw new InvalidOptionException(name, value, rule);
        }
    }
}

/// <summary>An option is out of range; the message reads "<c>Name rule (got value)</c>".</summary>
public sealed class InvalidOptionException : ArgumentOutOfRangeException
{
    /// <summary>Creates the exception.</summary>
    public InvalidOptionException(string name, object? value, string rule)
        : base(name, value, rule)
    {
        Rule = rule;
    }

    /// <summary>What the option must satisfy.</summary>
    public string Rule { get; }

    /// <inheritdoc />
    public override string Message => $"{ParamName} {Rule} (got {ActualValue ?? "null"})";
}
