using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrpcTuner.Agent.Models.Llama;

/// <summary>
/// A Hugging Face LLaMA config.json, with transformers' defaults for absent fields. Fields the
/// model does not read are kept as they were (<see cref="Other"/>), so a folder we save is the
/// same model to a Hugging Face reader.
/// </summary>
public sealed record LlamaConfig
{
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";

    [JsonPropertyName("architectures")] public IReadOnlyList<string>? Architectures { get; init; }

    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 32000;

    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 4096;

    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 11008;

    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 32;

    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 32;

    /// <summary>Key/value heads (grouped-query attention); absent means as many as attention heads.</summary>
    [JsonPropertyName("num_key_value_heads")] public int? NumKeyValueHeads { get; init; }

    /// <summary>Width of one head; absent means hidden_size / num_attention_heads.</summary>
    [JsonPropertyName("head_dim")] public int? HeadDimField { get; init; }

    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";

    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 2048;

    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;

    [JsonPropertyName("rms_norm_eps")] public double RmsNormEps { get; init; } = 1e-6;

    [JsonPropertyName("rope_theta")] public double RopeTheta { get; init; } = 10000;

    [JsonPropertyName("rope_scaling")] public RopeScaling? RopeScaling { get; init; }

    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }

    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; init; }

    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    [JsonIgnore] public int KeyValueHeads => NumKeyValueHeads ?? NumAttentionHeads;

    [JsonIgnore] public int HeadDim => HeadDimField ?? (HiddenSize / NumAttentionHeads);

    /// <summary>Refuses, by name, what this implementation does not compute.</summary>
    /// <exception cref="NotSupportedException">A field asks for something else.</exception>
    public void Validate()
    {
        if (NumAttentionHeads % KeyValueHeads != 0)
        {
            throw new NotSupportedException($"num_attention_heads {NumAttentionHeads} is not a multiple of num_key_value_heads {KeyValueHeads}");
        }

        if (HeadDim % 2 != 0)
        {
            throw new NotSupportedException($"head_dim {HeadDim} is odd; rotary embeddings need an even width");
        }

        Activations.Get(HiddenAct);
        RopeScaling?.Validate();
    }

    /// <summary>This config as it is written back: every field a Hugging Face reader looks for, spelled out.</summary>
    public LlamaConfig ForSaving() => this with
    {
        Architectures = Architectures ?? ["LlamaForCausalLM"],
        NumKeyValueHeads = KeyValueHeads,
        HeadDimField = HeadDim,
    };
}

/// <summary>config.json's rope_scaling: how rotary frequencies are stretched for contexts longer than training.</summary>
public sealed record RopeScaling
{
    private static readonly string[] Types = ["default", "linear", "dynamic", "llama3"];

    /// <summary>rope_type, or type in older configs.</summary>
    [JsonPropertyName("rope_type")] public string? RopeType { get; init; }

    [JsonPropertyName("type")] public string? LegacyType { get; init; }

    [JsonPropertyName("factor")] public double Factor { get; init; } = 1;

    [JsonPropertyName("low_freq_factor")] public double? LowFreqFactor { get; init; }

    [JsonPropertyName("high_freq_factor")] public double? HighFreqFactor { get; init; }

    [JsonPropertyName("original_max_position_embeddings")] public int? OriginalMaxPositionEmbeddings { get; init; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    [JsonIgnore] public string Kind => RopeType ?? LegacyType ?? "default";

    public void Validate()
    {
        if (!Types.Contains(Kind))
        {
            throw new NotSupportedException($"rope_scaling type '{Kind}' is not supported; supported: {string.Join(", ", Types)}");
        }

        if (Kind == "llama3" && (LowFreqFactor is null || HighFreqFactor is null || OriginalMaxPositionEmbeddings is null))
        {
            throw new NotSupportedException("rope_scaling type 'llama3' needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings");
        }

        if (Factor <= 0)
        {
            throw new NotSupportedException($"rope_scaling factor {Factor} must be positive");
        }
    }
}
