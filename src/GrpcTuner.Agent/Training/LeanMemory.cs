using System.Runtime.InteropServices;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// glibc's allocator, tuned for training. libtorch allocates every CPU tensor with malloc, and
/// glibc gives each new thread its own arena: trials and epochs that continue on another pool
/// thread allocate a whole run's memory afresh while the old arenas keep theirs, so an agent's
/// memory grew by a trial's footprint at each trial. Two arenas stop that. glibc also raises its
/// mmap threshold up to 32 MiB as large blocks are freed, after which activations come from the
/// heap and fragment it. A fixed threshold of 4 MiB maps every activation of a batch (a BERT layer's
/// hidden state at batch 32 and 128 tokens is 6 MiB) and returns it when freed, at the price of
/// faulting it in again, which huge pages make cheap: one MiniLM agent's peak went from 1.71-1.75 GiB
/// to 1.2 GiB, flat over 10 trials, and minilm-throughput stayed at 1.35x PyTorch (1.31x before).
/// Lean memory maps from 1 MiB. Where the agent runs under jemalloc (<see cref="Jemalloc"/>), these
/// settings reach nothing: glibc's allocator is not used.
/// </summary>
internal static class LeanMemory
{
    /// <summary>The agent's option that asks for this glibc mode (and so keeps glibc: <see cref="Jemalloc"/>).</summary>
    public const string Option = "--lean-memory";

    private const int MmapThreshold = -3;
    private const int ArenaMax = -8;

    /// <param name="lean">Map blocks from 1 MiB instead of 4 MiB (a little less peak memory, slower steps).</param>
    public static void Apply(bool lean)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        if (Mallopt(ArenaMax, 2) != 1 || Mallopt(MmapThreshold, (lean ? 1 : 4) << 20) != 1)
        {
            Console.Error.WriteLine("warning: glibc refused mallopt; the agent's memory may grow from trial to trial");
        }

        AskLibtorchForHugePages();
    }

    /// <summary>
    /// libtorch backs tensors of 2 MiB or more with transparent huge pages when THP_MEM_ALLOC_ENABLE
    /// is set before its first allocation (c10's alloc_cpu): a page fault then maps 2 MiB instead of
    /// 4 KiB, and memory handed back and taken again stays cheap. Measured with the agent-memory
    /// benchmark (10 MiniLM trials): lean memory 199 s without, 124 s with; by default the peak stays
    /// flat (1,730 to 1,888 MiB, where it climbed from 1,899 to 2,056) in 103 s instead of 110 s.
    /// A value the user set wins.
    /// </summary>
    internal static void AskLibtorchForHugePages() => _ = SetEnv("THP_MEM_ALLOC_ENABLE", "1", 0);

    /// <summary>
    /// Collects the tensors only finalizers free, then hands the free pages of every arena back to
    /// the system (glibc's malloc_trim, or jemalloc's purge where the agent runs under it). A freed tensor stays resident in the heap until then:
    /// building a model leaves its initialisation's temporaries there, and a trial leaves its
    /// activations, so without this each trial's peak starts from what the one before left behind.
    /// Called between trials and before training starts, where its cost (faulting the pages in
    /// again) is paid once, not every step.
    /// </summary>
    public static void ReleaseFreed()
    {
        CollectFinalized();
        if (OperatingSystem.IsLinux() && !Jemalloc.Purge())
        {
            _ = MallocTrim(0);
        }
    }

    /// <summary>
    /// Frees the native memory behind objects only finalizers free (TorchSharp's scalars among them,
    /// which an optimizer step leaves): called after every step, once the step's dispose scope has
    /// ended, a run's memory stays flat instead of growing until the garbage collector happens to run.
    /// Called inside the scope, while the step's tensors are alive, it made steps up to twice as slow.
    /// </summary>
    public static void CollectFinalized()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }

    // The native environment, where libtorch reads it: Environment.SetEnvironmentVariable changes only .NET's copy.
    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPStr)] string name, [MarshalAs(UnmanagedType.LPStr)] string value, int overwrite);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);
}
