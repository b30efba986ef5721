using GrpcTuner.Agent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

/// <summary>Free heap pages go back to the system before a long batch, once the heap has grown, and not before a short one.</summary>
public class HeapReleaseTests
{
    [Fact]
    public void FreePagesGoBackBeforeALongBatchOnly()
    {
        // The agent's allocator settings: blocks under 4 MiB come from the heap.
        LeanMemory.Apply(lean: false);
        var heap = new HeapRelease([10, 100]);
        // 256 MiB of 1 MiB tensors, written so that they are resident, and one small tensor above them
        // that stays, so that glibc cannot give them back from the heap's top by itself when they are freed.
        var blocks = Enumerable.Range(0, 256).Select(_ => torch.ones(1 << 18)).ToList();
        using var above = torch.ones(16);
        blocks.ForEach(b => b.Dispose());
        var grown = ProcessMemory.ResidentMegabytes();

        using var shortBatch = torch.tensor(new long[] { 0 });
        heap.BeforeBatch(shortBatch);
        var afterShort = ProcessMemory.ResidentMegabytes();
        using var longBatch = torch.tensor(new long[] { 0, 1 });
        heap.BeforeBatch(longBatch);
        var afterLong = ProcessMemory.ResidentMegabytes();

        Assert.True(afterShort > grown - 64, $"resident {grown} MiB fell to {afterShort} before a short batch");
        Assert.True(afterLong < afterShort - 192, $"resident {afterShort} MiB only fell to {afterLong} before a long batch");
    }
}
