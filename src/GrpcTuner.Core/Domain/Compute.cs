namespace GrpcTuner.Core.Domain;

/// <summary>What a trial cost, as its worker measured it: totals for the trial so far.</summary>
public sealed record Compute(double WallSeconds, double CpuSeconds, string DeviceKind, int DeviceCount, long Samples, long Epochs)
{
    public static Compute Zero { get; } = new(0, 0, "", 0, 0, 0);

    /// <summary>Totals over trials: times, samples and epochs add up; the device count is the largest one used.</summary>
    public static Compute Sum(IEnumerable<Compute> parts) => parts.Aggregate(Zero, (a, b) =>
        new(a.WallSeconds + b.WallSeconds, a.CpuSeconds + b.CpuSeconds, "", Math.Max(a.DeviceCount, b.DeviceCount), a.Samples + b.Samples, a.Epochs + b.Epochs));
}
