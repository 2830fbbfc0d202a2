using Google.Protobuf;
using MLNet.Rewards.Persistence;
using Onnx;

namespace MLNet.Rewards.Onnx;

/// <summary>
/// Removes graph outputs from a serialised ONNX model, and with them every node that no remaining output needs, so that
/// ONNX Runtime does not compute them. ONNX Runtime runs every node of a session on each run, fetched or not: SmolLM2's
/// output projection (<c>/lm_head/MatMul_Q4</c>, 576 × 49,152) runs at every position of a prefill that fetches only
/// <c>hidden_states</c>, and without it the same prefill is 1.24x faster with identical states
/// (<c>mlnet-rewards-experiments prefill-speed</c>, docs/generalist.md).
/// The model is read and written with the OnnxSharp package (ONNX's protobuf messages); unused initializers are left in
/// place, since ONNX Runtime drops them when it loads the model.
/// </summary>
internal static class OnnxGraphPruning
{
    /// <summary>The model at <paramref name="path"/> without the outputs <paramref name="outputs"/> and the nodes only they need, serialised.</summary>
    /// <exception cref="ModelFormatException">The file does not parse as an ONNX model, or an output to remove is not one of its outputs.</exception>
    public static byte[] WithoutOutputs(string path, IReadOnlyCollection<string> outputs)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelFormatException(path, $"not an ONNX model ({e.Message})", e);
        }

        var graph = model.Graph ?? throw new ModelFormatException(path, "the ONNX model has no graph");
        foreach (string name in outputs)
        {
            var output = graph.Output.FirstOrDefault(o => o.Name == name)
                ?? throw new ModelFormatException(path, $"has no output '{name}' to remove (outputs: {string.Join(", ", graph.Output.Take(6).Select(o => o.Name))}...)");
            graph.Output.Remove(output);
        }

        RemoveDeadNodes(graph);
        return model.ToByteArray();
    }

    /// <summary>Removes, until none is left, every node none of whose outputs is a graph output or an input of another node.</summary>
    private static void RemoveDeadNodes(GraphProto graph)
    {
        var needed = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);
        var consumers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (string input in ValuesRead(node))
            {
                consumers[input] = consumers.GetValueOrDefault(input) + 1;
            }
        }

        bool removed;
        do
        {
            removed = false;
            for (int i = graph.Node.Count - 1; i >= 0; i--)
            {
                var node = graph.Node[i];
                if (node.Output.Any(o => o.Length > 0 && (needed.Contains(o) || consumers.GetValueOrDefault(o) > 0)))
                {
                    continue;
                }

                graph.Node.RemoveAt(i);
                foreach (string input in ValuesRead(node))
                {
                    consumers[input]--;
                }

                removed = true;
            }
        }
        while (removed);
    }

    /// <summary>The values a node reads: its inputs and, for control flow, every value its subgraphs read.</summary>
    private static IEnumerable<string> ValuesRead(NodeProto node)
    {
        foreach (string input in node.Input)
        {
            if (input.Length > 0)
            {
                yield return input;
            }
        }

        foreach (var attribute in node.Attribute)
        {
            foreach (var subgraph in attribute.Graphs.Prepend(attribute.G).Where(g => g is not null))
            {
                foreach (string value in subgraph.Node.SelectMany(ValuesRead))
                {
                    yield return value;
                }
            }
        }
    }
}
