using System.Globalization;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// The hyperparameters every task honours, read from a trial's params with defaults for the ones
/// the study does not tune. A name no task knows, or a value out of range, fails the trial with a
/// reason naming it; the agent itself carries on.
/// </summary>
public sealed record HyperParameters
{
    private static readonly string[] Common =
    [
        "learning_rate", "per_device_batch_size", "gradient_accumulation_steps", "num_epochs", "weight_decay", "warmup_steps", "warmup_ratio",
        "lr_scheduler", "seed", "method", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "lora_learning_rate", "max_seq_length",
        "gradient_checkpointing", "group_by_length",
    ];

    public double LearningRate { get; init; } = 1e-3;

    public int BatchSize { get; init; } = 32;

    public int GradientAccumulationSteps { get; init; } = 1;

    public int NumEpochs { get; init; } = 3;

    public double WeightDecay { get; init; }

    public int WarmupSteps { get; init; }

    public double WarmupRatio { get; init; }

    public string LrScheduler { get; init; } = "linear";

    public long Seed { get; init; } = 42;

    public string Method { get; init; } = "full";

    public int LoraR { get; init; } = 8;

    public double LoraAlpha { get; init; } = 16;

    public double LoraDropout { get; init; } = 0.05;

    /// <summary>Layers that get LoRA adapters; empty means the model's usual ones (query and value attention projections).</summary>
    public IReadOnlyList<string> LoraTargetModules { get; init; } = [];

    public int MaxSeqLength { get; init; } = 128;

    /// <summary>Recompute each layer's activations in backward instead of keeping them: less memory, about a third more compute.</summary>
    public bool GradientCheckpointing { get; init; }

    /// <summary>Batch examples of similar length together (Hugging Face's LengthGroupedSampler), so batches pad little.</summary>
    public bool GroupByLength { get; init; }

    /// <summary>Task-specific parameters (for example hidden_size), already checked against the task's list.</summary>
    public IReadOnlyDictionary<string, ParamValue> Extra { get; init; } = new Dictionary<string, ParamValue>();

    /// <summary>Warm-up steps: warmup_steps when set, else warmup_ratio of the optimizer steps.</summary>
    public int WarmupFor(int totalSteps) => WarmupSteps > 0 ? WarmupSteps : (int)Math.Round(WarmupRatio * totalSteps);

    /// <summary>The LoRA targets, or <paramref name="modelDefault"/> when the study names none.</summary>
    public IReadOnlyList<string> LoraTargetsOr(params string[] modelDefault) => LoraTargetModules.Count > 0 ? LoraTargetModules : modelDefault;

    public static HyperParameters Parse(IReadOnlyDictionary<string, ParamValue> values, IReadOnlyCollection<string> taskParams)
    {
        var extra = new Dictionary<string, ParamValue>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (!Common.Contains(name))
            {
                if (!taskParams.Contains(name))
                {
                    throw new TrialFailedException($"unknown hyperparameter '{name}'; this task knows {string.Join(", ", Common.Concat(taskParams))}");
                }

                extra[name] = value;
            }
        }

        var method = Choice(values, "method", "full", "full", "lora");
        var learningRate = Number(values, "learning_rate", 1e-3, 0, 10, exclusiveLow: true);
        var hp = new HyperParameters
        {
            // LoRA wants learning rates ten to a hundred times full fine-tuning's, so a study may search it apart.
            LearningRate = method == "lora" ? Number(values, "lora_learning_rate", learningRate, 0, 10, exclusiveLow: true) : learningRate,
            BatchSize = (int)Integer(values, "per_device_batch_size", 32, 1, 65_536),
            GradientAccumulationSteps = (int)Integer(values, "gradient_accumulation_steps", 1, 1, 1024),
            NumEpochs = (int)Integer(values, "num_epochs", 3, 1, 10_000),
            WeightDecay = Number(values, "weight_decay", 0, 0, 1),
            WarmupSteps = (int)Integer(values, "warmup_steps", 0, 0, 10_000_000),
            WarmupRatio = Number(values, "warmup_ratio", 0, 0, 1),
            LrScheduler = Choice(values, "lr_scheduler", "linear", "linear", "cosine", "constant"),
            Seed = Integer(values, "seed", 42, 0, long.MaxValue),
            Method = method,
            LoraR = (int)Integer(values, "lora_r", 8, 1, 1024),
            LoraAlpha = Number(values, "lora_alpha", 16, 0, 10_000, exclusiveLow: true),
            LoraDropout = Number(values, "lora_dropout", 0.05, 0, 1),
            LoraTargetModules = values.TryGetValue("lora_target_modules", out var t) ? Text(t, "lora_target_modules").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [],
            MaxSeqLength = (int)Integer(values, "max_seq_length", 128, 8, 1_000_000),
            GradientCheckpointing = Flag(values, "gradient_checkpointing"),
            GroupByLength = Flag(values, "group_by_length"),
            Extra = extra,
        };
        return hp;
    }

    public static double Number(IReadOnlyDictionary<string, ParamValue> values, string name, double fallback, double low, double high, bool exclusiveLow = false)
    {
        if (!values.TryGetValue(name, out var v))
        {
            return fallback;
        }

        var x = v.KindCase switch
        {
            ParamValue.KindOneofCase.FloatValue => v.FloatValue,
            ParamValue.KindOneofCase.IntValue => v.IntValue,
            _ => throw new TrialFailedException($"hyperparameter '{name}' must be a number, got {v}"),
        };
        if (!double.IsFinite(x) || x < low || x > high || (exclusiveLow && x == low))
        {
            throw new TrialFailedException($"hyperparameter '{name}' = {x.ToString(CultureInfo.InvariantCulture)} is out of range {(exclusiveLow ? "(" : "[")}{low}, {high}]");
        }

        return x;
    }

    public static long Integer(IReadOnlyDictionary<string, ParamValue> values, string name, long fallback, long low, long high)
    {
        if (!values.TryGetValue(name, out var v))
        {
            return fallback;
        }

        if (v.KindCase != ParamValue.KindOneofCase.IntValue)
        {
            throw new TrialFailedException($"hyperparameter '{name}' must be an integer, got {v}");
        }

        return v.IntValue >= low && v.IntValue <= high ? v.IntValue : throw new TrialFailedException($"hyperparameter '{name}' = {v.IntValue} is out of range [{low}, {high}]");
    }

    private static bool Flag(IReadOnlyDictionary<string, ParamValue> values, string name)
    {
        if (!values.TryGetValue(name, out var v))
        {
            return false;
        }

        return v.KindCase switch
        {
            ParamValue.KindOneofCase.BoolValue => v.BoolValue,
            ParamValue.KindOneofCase.StringValue when bool.TryParse(v.StringValue, out var b) => b,
            _ => throw new TrialFailedException($"hyperparameter '{name}' must be true or false, got {v}"),
        };
    }

    private static string Choice(IReadOnlyDictionary<string, ParamValue> values, string name, string fallback, params string[] allowed)
    {
        if (!values.TryGetValue(name, out var v))
        {
            return fallback;
        }

        var s = Text(v, name);
        return allowed.Contains(s) ? s : throw new TrialFailedException($"hyperparameter '{name}' = '{s}' must be one of {string.Join(", ", allowed)}");
    }

    private static string Text(ParamValue v, string name) =>
        v.KindCase == ParamValue.KindOneofCase.StringValue ? v.StringValue : throw new TrialFailedException($"hyperparameter '{name}' must be a string, got {v}");
}
