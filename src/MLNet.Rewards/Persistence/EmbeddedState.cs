using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.Rewards.Persistence;

/// <summary>
/// Carries a fitted component's learned state inside an ML.NET model zip with built-in transforms only: a constant key
/// column (our stateless custom mapping) looked up in a value mapping whose single value is the component's own model zip
/// (manifest + safetensors, as <see cref="MLNet.Rewards.Persistence.ModelArchive"/> writes it) in base64 text.
/// </summary>
/// <remarks>
/// The value mapping hands out its text value without copying (a <see cref="ReadOnlyMemory{T}"/> over the one stored
/// string), so the per-row cost is a dictionary lookup; the mapping that consumes the state decodes it once per loaded
/// model through <see cref="StateCache{T}"/>, keyed by the identity of that stored string. A float-vector value would
/// instead be copied for every row (ML.NET copies vector values of a value mapping on each lookup).
/// </remarks>
internal static class EmbeddedState
{
    /// <summary>The key every row carries; the value mapping holds one entry under it.</summary>
    public const string Key = "state";

    /// <summary>Adds the <see cref="InternalColumns.State"/> column holding <paramref name="state"/> (model zip bytes).</summary>
    public static IEstimator<ITransformer> Attach(MLContext ml, byte[] state)
    {
        var entries = new[] { new KeyValuePair<string, string>(Key, Convert.ToBase64String(state)) };
        return ml.Transforms.CustomMapping<NoColumns, StateKeyRow>(StateKeyMapping.Map, StateKeyMapping.ContractName)
            .Append(ml.Transforms.Conversion.MapValue(InternalColumns.State, entries, InternalColumns.StateKey));
    }
}

/// <summary>Base of the input row of every mapping that reads embedded state (see <see cref="EmbeddedState"/>).</summary>
public abstract class StateInput
{
    /// <summary>The embedded state: a model zip in base64 text.</summary>
    [ColumnName(InternalColumns.State)]
    public ReadOnlyMemory<char> State { get; set; }

    /// <summary>The decoded state, decoded once per loaded model (see <see cref="StateCache{T}"/>).</summary>
    internal T Decode<T>(Func<byte[], T> decode)
        where T : class => StateCache<T>.Get(State, decode);
}

/// <summary>Input of a mapping that reads no column.</summary>
public sealed class NoColumns
{
}

/// <summary>Output row of <see cref="StateKeyMapping"/>: the constant key of the embedded state.</summary>
public sealed class StateKeyRow
{
    /// <summary>Always <c>"state"</c>.</summary>
    [ColumnName(InternalColumns.StateKey)]
    public string Key { get; set; } = string.Empty;
}

/// <summary>The stateless mapping that gives every row the key of the embedded state.</summary>
public static class StateKeyMapping
{
    /// <summary>Contract name saved in model zips; never reused for a different mapping.</summary>
    public const string ContractName = "MLNet.Rewards.StateKey.v1";

    /// <summary>Writes the constant key.</summary>
    public static void Map(NoColumns input, StateKeyRow output) => output.Key = EmbeddedState.Key;
}

/// <summary>Lets ML.NET recreate <see cref="StateKeyMapping"/> when a model zip is loaded.</summary>
[CustomMappingFactoryAttribute(StateKeyMapping.ContractName)]
public sealed class StateKeyMappingFactory : CustomMappingFactory<NoColumns, StateKeyRow>
{
    /// <inheritdoc />
    public override Action<NoColumns, StateKeyRow> GetMapping() => StateKeyMapping.Map;
}

/// <summary>
/// Decodes embedded state once per loaded model: keyed weakly by the object behind the state text (the value mapping's
/// stored string or buffer), so a model that is garbage-collected takes its decoded state with it.
/// </summary>
internal static class StateCache<T>
    where T : class
{
    private static readonly ConditionalWeakTable<object, Slot> Slots = new();

    public static T Get(ReadOnlyMemory<char> state, Func<byte[], T> decode)
    {
        object? owner = MemoryMarshal.TryGetString(state, out string? text, out _, out _) ? text
            : MemoryMarshal.TryGetArray(state, out ArraySegment<char> segment) ? segment.Array
            : null;
        if (owner is null)
        {
            return decode(DecodeBase64(state));
        }

        var slot = Slots.GetValue(owner, _ => new Slot());
        var cached = slot.Value;
        if (cached is not null && cached.Start == StartOf(state) && cached.Length == state.Length)
        {
            return cached.Decoded;
        }

        var fresh = new Entry(StartOf(state), state.Length, decode(DecodeBase64(state)));
        slot.Value = fresh;
        return fresh.Decoded;
    }

    private static int StartOf(ReadOnlyMemory<char> state)
        => MemoryMarshal.TryGetString(state, out _, out int start, out _) ? start
            : MemoryMarshal.TryGetArray(state, out ArraySegment<char> segment) ? segment.Offset : 0;

    private static byte[] DecodeBase64(ReadOnlyMemory<char> state)
    {
        if (state.IsEmpty)
        {
            throw new InvalidOperationException("the model's embedded state is empty: the model zip was not written by MLNet.Rewards or was damaged");
        }

        var bytes = new byte[(state.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64Chars(state.Span, bytes, out int written))
        {
            throw new InvalidOperationException("the model's embedded state is not valid base64: the model zip was damaged");
        }

        return bytes.AsSpan(0, written).ToArray();
    }

    private sealed class Slot
    {
        public volatile Entry? Value;
    }

    private sealed record Entry(int Start, int Length, T Decoded);
}
