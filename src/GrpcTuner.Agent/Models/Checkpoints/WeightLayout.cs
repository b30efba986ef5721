namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// What a model tells the loader about its names, as Hugging Face's base_model_prefix,
/// _tied_weights_keys and newly initialised heads do: the one place where checkpoint names meet
/// a model's modules.
/// </summary>
public sealed record WeightLayout
{
    /// <summary>The base model's prefix in a model with a head ("bert", "model"); a base-model checkpoint lacks it, a head model's has it.</summary>
    public required string BasePrefix { get; init; }

    /// <summary>Parameters that may be absent from a checkpoint and then start fresh (a new classification head, a pooler).</summary>
    public Func<string, bool> NewIfMissing { get; init; } = _ => false;

    /// <summary>Parameters shared with another one (a tied lm_head): never loaded; the checkpoint may or may not hold them.</summary>
    public IReadOnlySet<string> Tied { get; init; } = new HashSet<string>();

    /// <summary>Checkpoint parameters to ignore even where the model has that name (an old head when the task needs another number of labels).</summary>
    public Func<string, bool> Discard { get; init; } = _ => false;

    /// <summary>Sets a fresh parameter as the model's own initialisation would.</summary>
    public Action<string, TorchSharp.torch.Tensor> Initialize { get; init; } = (_, _) => { };
}
