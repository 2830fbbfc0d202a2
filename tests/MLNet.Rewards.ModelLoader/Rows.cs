namespace MLNet.Rewards.ModelLoader;

/// <summary>The columns the round-trip tests' pipelines read.</summary>
public sealed class InputRow
{
    public string Prompt { get; set; } = string.Empty;

    public string Response { get; set; } = string.Empty;

    public float Length { get; set; }

    public float Words { get; set; }
}

public sealed class ScalarOutput
{
    public float Value { get; set; }
}

public sealed class VectorOutput
{
    public float[] Value { get; set; } = [];
}
