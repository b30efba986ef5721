using System.Runtime.InteropServices;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// glibc's allocator, tuned for training. libtorch allocates every CPU tensor with malloc, and
/// glibc gives each new thread its own arena: trials and epochs that continue on another pool
/// thread allocate a whole run's memory afresh while the old arenas keep theirs, so an agent's
/// memory grew by a trial's footprint at each trial. Two arenas stop that. Lean memory goes
/// further: glibc raises its mmap threshold up to 32 MiB as large blocks are freed, after which
/// activations come from the heap and fragment it; a fixed 1 MiB threshold maps large tensors
/// and returns them when freed, at the price of the page faults of mapping them again.
/// </summary>
internal static class LeanMemory
{
    private const int MmapThreshold = -3;
    private const int ArenaMax = -8;

    /// <param name="lean">Also fix the mmap threshold (less peak memory, slower steps).</param>
    public static void Apply(bool lean)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        if (Mallopt(ArenaMax, 2) != 1 || (lean && Mallopt(MmapThreshold, 1 << 20) != 1))
        {
            Console.Error.WriteLine("warning: glibc refused mallopt; the agent's memory may grow from trial to trial");
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);
}
