using System.Runtime.InteropServices;
using GrpcTuner.Agent.Training;

namespace GrpcTuner.Agent.Tests;

public class ProcessMemoryTests
{
    [Theory]
    [InlineData("VmHWM:\t10053872 kB", 9818)]
    [InlineData("VmHWM:     1024 kB", 1)]
    [InlineData("VmRSS:\t  123456789 kB", 120563)]
    public void StatusLinesParseWithTabsAndAnyNumberOfDigits(string line, long megabytes) =>
        Assert.Equal(megabytes, ProcessMemory.Megabytes(line));

    [Fact]
    public void ThePeakIsReadAndResets()
    {
        var before = ProcessMemory.PeakMegabytes();
        Assert.True(before > 0);
        ProcessMemory.ResetPeak();
        Assert.True(ProcessMemory.PeakMegabytes() <= before);
        Assert.True(ProcessMemory.ResidentMegabytes() > 0);
    }

    [Fact]
    public void LeanMemoryAsksLibtorchForHugePagesWhereLibtorchReadsIt()
    {
        // libtorch reads its settings with getenv: a value only .NET's copy of the environment held would never reach it.
        LeanMemory.AskLibtorchForHugePages();
        try
        {
            Assert.Equal("1", Marshal.PtrToStringAnsi(GetEnv("THP_MEM_ALLOC_ENABLE")));
        }
        finally
        {
            _ = UnsetEnv("THP_MEM_ALLOC_ENABLE");
        }
    }

    [DllImport("libc", EntryPoint = "unsetenv")]
    private static extern int UnsetEnv([MarshalAs(UnmanagedType.LPStr)] string name);

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPStr)] string name);
}
