using System.Collections;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// The outputs of one <see cref="OnnxSession"/> run, in the order they were requested and by name. Disposing the
/// collection disposes every value still in it; <see cref="Take(string)"/> moves a value out so it outlives the
/// collection (e.g. a KV-cache output that becomes the next run's input).
/// </summary>
public sealed class OnnxValueCollection : IReadOnlyList<OnnxValue>, IDisposable
{
    private readonly string[] _names;
    private readonly OnnxValue?[] _values;

    internal OnnxValueCollection(IReadOnlyList<string> names, OnnxValue[] values)
    {
        _names = [.. names];
        _values = values;
    }

    /// <summary>Number of outputs.</summary>
    public int Count => _values.Length;

    /// <summary>The output names, in order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>Output <paramref name="index"/>.</summary>
    public OnnxValue this[int index] => _values[index] ?? throw new InvalidOperationException($"output '{_names[index]}' was taken out of this collection");

    /// <summary>The output called <paramref name="name"/>.</summary>
    public OnnxValue this[string name] => this[IndexOf(name)];

    /// <summary>Removes output <paramref name="name"/> from the collection and gives it to the caller, who must dispose it.</summary>
    public OnnxValue Take(string name) => Take(IndexOf(name));

    /// <summary>Removes output <paramref name="index"/> from the collection and gives it to the caller, who must dispose it.</summary>
    public OnnxValue Take(int index)
    {
        var value = this[index];
        _values[index] = null;
        return value;
    }

    /// <inheritdoc />
    public IEnumerator<OnnxValue> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Disposes every value still in the collection.</summary>
    public void Dispose()
    {
        for (int i = 0; i < _values.Length; i++)
        {
            _values[i]?.Dispose();
            _values[i] = null;
        }
    }

    private int IndexOf(string name)
    {
        int index = Array.IndexOf(_names, name);
        return index >= 0 ? index : throw new KeyNotFoundException($"no output '{name}' in this run (outputs: {string.Join(", ", _names)})");
    }
}
