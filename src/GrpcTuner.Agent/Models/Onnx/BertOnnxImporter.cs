using System.Text.Json;
using System.Text.RegularExpressions;
using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Agent.Models.Onnx.Proto;
using GrpcTuner.Agent.Models.Tokenization;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Onnx;

/// <summary>
/// Turns a BERT-family ONNX export (PyTorch's, as sentence-transformers and Optimum ship them)
/// into a Hugging Face folder. Initializers that carry their parameter's name keep it; an
/// exporter's numbered MatMul weight takes the name of the bias its Add consumes and is
/// transposed (MatMul holds it as in x out, Linear as out x in); a Gemm keeps its orientation
/// when transB is set. An integer or single-element initializer is a graph constant, not a
/// weight; any other initializer that cannot be named is an error naming it. config.json is read
/// from the graph: sizes from the shapes, heads from the attention reshape, layer_norm_eps and
/// hidden_act from the operators.
/// </summary>
public static partial class BertOnnxImporter
{
    public static BertConfig Import(string onnxPath, string vocabPath, string outDir, Action<string> log)
    {
        var graph = OnnxGraph.Load(onnxPath);
        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"{vocabPath} does not exist", vocabPath);
        }

        var weights = NameWeights(graph);
        try
        {
            var config = InferConfig(graph, weights);
            Directory.CreateDirectory(outDir);
            HuggingFaceFolder.SaveConfig(outDir, config);
            SafeTensors.Save(Path.Combine(outDir, SafeTensors.FileName), weights, metadata: new Dictionary<string, string> { ["format"] = "pt" });
            WriteTokenizer(vocabPath, outDir, config);
            log($"{onnxPath}: {weights.Count} tensors as a {config.NumHiddenLayers}-layer BERT (hidden {config.HiddenSize}, {config.NumAttentionHeads} heads, {config.HiddenAct}) in {outDir}");
            return config;
        }
        finally
        {
            foreach (var t in weights.Values)
            {
                t.Dispose();
            }
        }
    }

    private static Dictionary<string, Tensor> NameWeights(OnnxGraph graph)
    {
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, init) in graph.Initializers)
        {
            var target = ParameterName(graph, name, init, out var transpose);
            if (target is null)
            {
                continue;
            }

            if (weights.ContainsKey(target))
            {
                throw new InvalidDataException($"{graph.Path}: two initializers map to '{target}' (one is '{name}')");
            }

            using var value = OnnxTensors.ToTorch(init, graph);
            weights[target] = transpose ? value.t().contiguous() : value.clone();
        }

        return weights;
    }

    /// <returns>The parameter name, or null for a graph constant.</returns>
    private static string? ParameterName(OnnxGraph graph, string name, TensorProto init, out bool transpose)
    {
        transpose = false;
        var uses = graph.Consumers(name);
        if (uses.FirstOrDefault(u => u.Node.OpType is "MatMul" or "Gemm" && u.Input == 1) is { Node: { } node })
        {
            transpose = node.OpType == "MatMul" || OnnxGraph.IntAttribute(node, "transB", 0) == 0;
            return IsParameterName(name) ? name : BiasOf(graph, node) is { } bias ? bias[..^".bias".Length] + ".weight"
                : throw new InvalidDataException($"{graph.Path}: initializer '{name}' is the weight of {node.OpType} '{node.Name}', but no named bias follows it to name it");
        }

        if (IsParameterName(name))
        {
            return name;
        }

        if (!OnnxTensors.IsFloat(init) || OnnxTensors.Count(init) <= 1)
        {
            return null;
        }

        throw new InvalidDataException($"{graph.Path}: initializer '{name}' ({string.Join("x", init.Dims)}) cannot be mapped to a parameter name; it feeds {string.Join(", ", uses.Select(u => u.Node.OpType))}");
    }

    /// <summary>The named bias added to a MatMul's output (its Add), or a Gemm's C input.</summary>
    private static string? BiasOf(OnnxGraph graph, NodeProto node)
    {
        if (node.OpType == "Gemm")
        {
            return node.Input.Count > 2 && node.Input[2].EndsWith(".bias", StringComparison.Ordinal) ? node.Input[2] : null;
        }

        return graph.Consumers(node.Output[0]).Where(c => c.Node.OpType == "Add")
            .SelectMany(c => c.Node.Input).FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i));
    }

    private static bool IsParameterName(string name) => ParameterNamePattern().IsMatch(name);

    private static BertConfig InferConfig(OnnxGraph graph, Dictionary<string, Tensor> weights)
    {
        var prefix = weights.ContainsKey("bert.embeddings.word_embeddings.weight") ? "bert." : "";
        Tensor Need(string name) => weights.TryGetValue(prefix + name, out var t) ? t
            : throw new InvalidDataException($"{graph.Path}: not a BERT-family graph: no initializer maps to '{prefix + name}'");
        var words = Need("embeddings.word_embeddings.weight");
        var hidden = (int)words.shape[1];
        var layers = weights.Keys.Select(k => LayerPattern().Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count();
        var heads = Heads(graph, prefix, hidden);
        return new BertConfig
        {
            Architectures = [prefix.Length > 0 ? "BertForMaskedLM" : "BertModel"],
            VocabSize = (int)words.shape[0],
            HiddenSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            IntermediateSize = (int)Need("encoder.layer.0.intermediate.dense.weight").shape[0],
            MaxPositionEmbeddings = (int)Need("embeddings.position_embeddings.weight").shape[0],
            TypeVocabSize = (int)Need("embeddings.token_type_embeddings.weight").shape[0],
            LayerNormEps = LayerNormEps(graph),
            HiddenAct = Activation(graph, prefix + "encoder.layer.0.intermediate.dense.bias"),
        };
    }

    /// <summary>Heads from the reshape of the first query projection to (batch, seq, heads, head_dim).</summary>
    private static int Heads(OnnxGraph graph, string prefix, int hidden)
    {
        var add = graph.Consumers(prefix + "encoder.layer.0.attention.self.query.bias").Select(c => c.Node).FirstOrDefault(n => n.OpType == "Add");
        var reshape = add is null ? null : graph.Consumers(add.Output[0]).Select(c => c.Node).FirstOrDefault(n => n.OpType == "Reshape");
        var shape = reshape is null ? null : graph.ConstantValues(reshape.Input[1]);
        if (shape is { Count: 4 } && shape[2] is { } h && shape[3] is { } d && (int)h * (int)d == hidden)
        {
            return (int)h;
        }

        throw new InvalidDataException($"{graph.Path}: cannot infer num_attention_heads: the first query projection is not reshaped to (batch, seq, heads, head_dim) with constant heads and head_dim");
    }

    /// <summary>The epsilon under the square root of the first layer normalisation (decomposed, or a LayerNormalization node).</summary>
    private static double LayerNormEps(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            if (node.OpType == "LayerNormalization")
            {
                return node.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5;
            }

            if (node.OpType == "Sqrt" && graph.Producer(node.Input[0]) is { OpType: "Add" } add && graph.ScalarInput(add) is { } eps)
            {
                // float32 in the graph: 1e-12 arrives as 9.99999996e-13.
                return double.Parse(((float)eps).ToString("R", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidDataException($"{graph.Path}: cannot infer layer_norm_eps: no layer normalisation found");
    }

    /// <summary>hidden_act from the operators between the first intermediate projection and the next MatMul.</summary>
    private static string Activation(OnnxGraph graph, string intermediateBias)
    {
        var ops = new HashSet<string>(StringComparer.Ordinal);
        var frontier = graph.Consumers(intermediateBias).Select(c => c.Node).ToList();
        for (var depth = 0; depth < 12 && frontier.Count > 0; depth++)
        {
            frontier = frontier.Where(n => n.OpType != "MatMul").SelectMany(n => { ops.Add(n.OpType); return n.Output.SelectMany(o => graph.Consumers(o).Select(c => c.Node)); }).ToList();
        }

        return ops.Contains("Erf") ? "gelu" : ops.Contains("Tanh") ? "gelu_new" : ops.Contains("Relu") ? "relu" : ops.Contains("Sigmoid") ? "silu"
            : throw new InvalidDataException($"{graph.Path}: cannot infer hidden_act from the operators after the intermediate projection ({string.Join(", ", ops)})");
    }

    private static void WriteTokenizer(string vocabPath, string outDir, BertConfig config)
    {
        var vocab = File.ReadAllLines(vocabPath);
        // An uncased vocabulary has no letter that lower-casing would change, outside its bracketed special tokens.
        var cased = vocab.Any(t => !(t.StartsWith('[') && t.EndsWith(']')) && t.Any(c => char.ToLowerInvariant(c) != c));
        var tokenizer = new TokenizerConfig { DoLowerCase = !cased, ModelMaxLength = config.MaxPositionEmbeddings };
        File.Copy(vocabPath, Path.Combine(outDir, "vocab.txt"), overwrite: true);
        tokenizer.SaveBert(outDir);
        File.WriteAllText(Path.Combine(outDir, "tokenizer.json"), BertTokenizerJson.FromVocab(vocab, tokenizer).ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    [GeneratedRegex(@"^((bert\.)?(embeddings|encoder|pooler)|classifier|cls)\.[\w.]+$")]
    private static partial Regex ParameterNamePattern();

    [GeneratedRegex(@"encoder\.layer\.(\d+)\.")]
    private static partial Regex LayerPattern();
}
