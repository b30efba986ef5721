using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// A Hugging Face BERT config.json. Fields the model does not read are kept as they were
/// (<see cref="Other"/>), so a folder we save carries everything the original said.
/// </summary>
public sealed record BertConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "bert";

    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }

    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;

    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;

    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;

    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 12;

    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;

    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";

    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;

    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;

    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;

    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; init; } = 0.1;

    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; init; } = 0.1;

    /// <summary>Dropout before the classification head; null means hidden_dropout_prob, as in Hugging Face.</summary>
    [JsonPropertyName("classifier_dropout")] public double? ClassifierDropout { get; init; }

    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }

    [JsonPropertyName("position_embedding_type")] public string PositionEmbeddingType { get; init; } = "absolute";

    /// <summary>Hugging Face writes the labels as id2label (and label2id) rather than num_labels.</summary>
    [JsonPropertyName("id2label")] public IReadOnlyDictionary<string, string>? Id2Label { get; init; }

    [JsonPropertyName("label2id")] public IReadOnlyDictionary<string, int>? Label2Id { get; init; }

    /// <summary>Read from older configs that say it directly; never written.</summary>
    [JsonPropertyName("num_labels")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? NumLabelsField { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    /// <summary>Labels of the classification head: id2label's count, else num_labels, else 2 (Hugging Face's default).</summary>
    [JsonIgnore]
    public int NumLabels { get => Id2Label?.Count ?? NumLabelsField ?? 2; init => NumLabelsField = value; }

    /// <summary>This config with a head of these labels, named as Hugging Face names them.</summary>
    public BertConfig WithLabels(IReadOnlyList<string> labels) => this with
    {
        Id2Label = labels.Select((l, i) => (l, i)).ToDictionary(x => x.i.ToString(System.Globalization.CultureInfo.InvariantCulture), x => x.l),
        Label2Id = labels.Select((l, i) => (l, i)).ToDictionary(x => x.l, x => x.i),
        NumLabelsField = null,
    };

    /// <summary>Refuses, by name, what this implementation does not compute.</summary>
    /// <exception cref="NotSupportedException">A field asks for something else.</exception>
    public void Validate()
    {
        if (PositionEmbeddingType != "absolute")
        {
            throw new NotSupportedException($"position_embedding_type '{PositionEmbeddingType}' is not supported; only 'absolute' is");
        }

        if (HiddenSize % NumAttentionHeads != 0)
        {
            throw new NotSupportedException($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumAttentionHeads}");
        }

        Activations.Get(HiddenAct);
    }
}
