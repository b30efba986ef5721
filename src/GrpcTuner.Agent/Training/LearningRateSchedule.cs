namespace GrpcTuner.Agent.Training;

/// <summary>The learning-rate multiplier at an optimizer step: linear warm-up, then linear or cosine decay to 0, or constant (as Hugging Face's schedulers).</summary>
public static class LearningRateSchedule
{
    public static double Factor(string kind, int step, int warmup, int total)
    {
        if (step < warmup)
        {
            return (step + 1.0) / Math.Max(1, warmup);
        }

        if (kind == "constant")
        {
            return 1.0;
        }

        var progress = Math.Clamp((step - warmup) / (double)Math.Max(1, total - warmup), 0, 1);
        return kind == "cosine" ? 0.5 * (1 + Math.Cos(Math.PI * progress)) : 1 - progress;
    }
}
