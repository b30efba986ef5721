using System.Runtime.InteropServices;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// Runs the agent under jemalloc where Debian's libjemalloc2 is installed. glibc makes the agent
/// choose between speed and memory. Mapping each activation and handing it back (LeanMemory) keeps
/// an agent's peak flat at 1,340 to 1,364 MiB over 10 MiniLM trials, but every step faults and
/// zeroes all its activations again: on this project's VM that was half of the step (perf: page
/// clearing 13%, the hypervisor's fault path 13%, the other thread waiting). Taking them from the
/// heap instead was 2.2 times as fast, but the heap fragmented: 1,779 to 2,120 MiB, growing. jemalloc's
/// size classes reuse freed blocks without that growth: with its time-based purging off, the freed
/// pages wait for the next step, and <see cref="HeapRelease"/> purges them before the batches that
/// set the peak. Measured (2026-12-07): 1,369 to 1,378 MiB over 10 trials, flat, in 139 s where
/// glibc took 235 s; minilm-throughput 1.76x PyTorch 1.13, where glibc gave 0.76x.
/// A preloaded allocator must be in place before the process's first allocation, so the agent
/// executes itself again with LD_PRELOAD set, before anything else runs (same process id, same
/// standard streams). GRPCTUNER_ALLOCATOR=glibc keeps glibc, as does --lean-memory, which tunes glibc.
/// </summary>
public static class Jemalloc
{
    private const string Library = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
    private const string Switch = "GRPCTUNER_ALLOCATOR";
    private const string Preload = "LD_PRELOAD";
    private const string Settings = "MALLOC_CONF";

    /// <summary>The environment variables <see cref="Enter"/> sets: a child process that should allocate with its own default drops them.</summary>
    public static readonly IReadOnlyList<string> Variables = [Preload, Settings, Switch];

    // Freed pages are kept until purged (HeapRelease), not returned on a timer while training runs.
    private const string Config = "dirty_decay_ms:-1,muzzy_decay_ms:-1";

    // jemalloc's MALLCTL_ARENAS_ALL: the purge applies to every arena.
    private const string PurgeAll = "arena.4096.purge";

    private delegate int MallctlFunction(string name, nint oldp, nint oldlenp, nint newp, nuint newlen);

    private static readonly Lazy<MallctlFunction?> Mallctl = new(() =>
        IsActive() && NativeLibrary.TryLoad(Library, out var handle) && NativeLibrary.TryGetExport(handle, "mallctl", out var address)
            ? Marshal.GetDelegateForFunctionPointer<MallctlFunction>(address) : null);

    /// <summary>What the agent allocates with, for its log.</summary>
    public static string Describe() => IsActive() ? $"jemalloc ({Library}, {Environment.GetEnvironmentVariable(Settings)})"
        : Environment.GetEnvironmentVariable(Switch) == "glibc" ? $"glibc ({Switch}=glibc)"
        : File.Exists(Library) ? "glibc" : "glibc (install Debian's libjemalloc2 for faster steps at the same memory)";

    /// <summary>
    /// Executes this process again under jemalloc when it is installed and not in use yet; returns
    /// only where it does not (then glibc allocates, as before).
    /// </summary>
    public static void Enter(IReadOnlyCollection<string> args)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Library) || Environment.GetEnvironmentVariable(Switch) is not null
            || args.Contains(LeanMemory.Option) || IsActive())
        {
            return;
        }

        // The exact argv this process was started with: NUL-terminated strings.
        var argv = File.ReadAllText("/proc/self/cmdline").Split('\0')[..^1];
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);
        env[Preload] = env.TryGetValue(Preload, out var preload) && preload.Length > 0 ? $"{Library}:{preload}" : Library;
        env.TryAdd(Settings, Config);
        // Marks the second start, so that a preload that does not take cannot loop.
        env[Switch] = "jemalloc";
        _ = Execve("/proc/self/exe", [.. argv, null], [.. env.Select(e => $"{e.Key}={e.Value}"), null]);
        Console.Error.WriteLine($"warning: could not start again under jemalloc (errno {Marshal.GetLastPInvokeError()}); glibc allocates");
    }

    /// <summary>Hands jemalloc's freed pages back to the system; false where jemalloc is not in use.</summary>
    public static bool Purge() => Mallctl.Value is { } mallctl && mallctl(PurgeAll, 0, 0, 0, 0) == 0;

    private static bool IsActive() => OperatingSystem.IsLinux() && ProcessMappings.Loaded(Path.GetFileName(Library));

    [DllImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static extern int Execve(
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] argv,
        [MarshalAs(UnmanagedType.LPArray, ArraySubType = UnmanagedType.LPStr)] string?[] envp);
}
