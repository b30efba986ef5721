using System.Globalization;

namespace GrpcTuner.Agent.Training;

/// <summary>This process's resident memory from /proc/self/status (0 where there is no /proc), and its peak since the last reset.</summary>
internal static class ProcessMemory
{
    /// <summary>VmHWM, the peak resident memory, in MiB.</summary>
    public static long PeakMegabytes() => Read("VmHWM:");

    /// <summary>VmRSS, the resident memory now, in MiB.</summary>
    public static long ResidentMegabytes() => Read("VmRSS:");

    /// <summary>Starts the peak over from now (Linux's clear_refs "5"), so a trial's peak is its own.</summary>
    public static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without it the peak is the process's since it started: still a bound, only coarser.
        }
    }

    private static long Read(string key)
    {
        const string status = "/proc/self/status";
        var line = File.Exists(status) ? File.ReadLines(status).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
        return line is null ? 0 : Megabytes(line);
    }

    /// <summary>"VmHWM:\t10053872 kB" in MiB: tabs and spaces, however many digits.</summary>
    internal static long Megabytes(string line) =>
        long.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
}
