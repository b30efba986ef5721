using static TorchSharp.torch;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// Hands the heap's free pages back to the system before the batches that set a run's peak.
/// Activations of a short batch fall under glibc's mmap threshold and come from the heap, which
/// keeps them resident when they are freed (a 32 x 39-token MiniLM batch left 230 MiB behind); a
/// long batch's activations are mapped afresh on top of that. So the peak of an epoch with
/// group_by_length was the longest batch plus what the short ones before it left: 1,440 to 1,602 MiB
/// against 1,349 to 1,372 when the pages go back. Handing them back costs faulting them in again
/// (about a third of a second for a short batch's 230 MiB here), so it is done only where it pays:
/// before a batch at least three quarters as long as the longest, and only when the heap has
/// grown since it last gave pages back. Where examples do not vary in length every batch counts.
/// </summary>
/// <param name="lengths">Each example's length in tokens; null where lengths do not vary.</param>
internal sealed class HeapRelease(IReadOnlyList<long>? lengths)
{
    private const long SlackMegabytes = 64;
    private readonly long _longest = lengths is { Count: > 0 } ? lengths.Max() : 0;
    private long _settled = Release();

    /// <param name="index">The examples of the batch about to run (a 1-D index tensor).</param>
    public void BeforeBatch(Tensor index)
    {
        if (IsLong(index) && ProcessMemory.ResidentMegabytes() > _settled + SlackMegabytes)
        {
            _settled = Release();
        }
    }

    private bool IsLong(Tensor index) =>
        lengths is null || index.data<long>().ToArray().Max(i => lengths[(int)i]) * 4 >= _longest * 3;

    private static long Release()
    {
        LeanMemory.ReleaseFreed();
        return ProcessMemory.ResidentMegabytes();
    }
}
