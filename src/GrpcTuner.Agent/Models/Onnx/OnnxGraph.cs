using GrpcTuner.Agent.Models.Onnx.Proto;
using Google.Protobuf;

namespace GrpcTuner.Agent.Models.Onnx;

/// <summary>An ONNX model's graph with the look-ups an importer needs: initializers and constants by name, who produces and who consumes each value.</summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(NodeProto Node, int Input)>> _consumers = new(StringComparer.Ordinal);

    private OnnxGraph(string path, ModelProto model)
    {
        Path = path;
        Model = model;
        Initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            foreach (var output in node.Output)
            {
                _producers[output] = node;
            }

            for (var i = 0; i < node.Input.Count; i++)
            {
                if (!_consumers.TryGetValue(node.Input[i], out var list))
                {
                    _consumers[node.Input[i]] = list = [];
                }

                list.Add((node, i));
            }
        }
    }

    public string Path { get; }

    public ModelProto Model { get; }

    public IReadOnlyDictionary<string, TensorProto> Initializers { get; }

    public IEnumerable<NodeProto> Nodes => Model.Graph.Node;

    public static OnnxGraph Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist", path);
        }

        try
        {
            using var stream = File.OpenRead(path);
            var model = ModelProto.Parser.ParseFrom(stream);
            return model.Graph is null ? throw new InvalidDataException($"{path}: the model has no graph") : new OnnxGraph(path, model);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{path}: not an ONNX model ({e.Message})", e);
        }
    }

    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<(NodeProto Node, int Input)> Consumers(string value) => _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>The values of a constant (an initializer, a Constant node, or a Concat of them), null where a part is computed at run time.</summary>
    public IReadOnlyList<double?>? ConstantValues(string value)
    {
        if (Initializers.TryGetValue(value, out var init))
        {
            return OnnxTensors.Doubles(init, this).Select(v => (double?)v).ToList();
        }

        var node = Producer(value);
        switch (node?.OpType)
        {
            case "Constant":
                var tensor = node.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
                return tensor is null ? null : OnnxTensors.Doubles(tensor, this).Select(v => (double?)v).ToList();
            case "Concat":
                return node.Input.SelectMany(i => ConstantValues(i) ?? [null]).ToList();
            default:
                return null;
        }
    }

    /// <summary>The one scalar constant among a node's inputs, if there is one.</summary>
    public double? ScalarInput(NodeProto node) =>
        node.Input.Select(ConstantValues).FirstOrDefault(v => v is { Count: 1 } && v[0] is not null)?[0];

    public static long IntAttribute(NodeProto node, string name, long fallback) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
}
