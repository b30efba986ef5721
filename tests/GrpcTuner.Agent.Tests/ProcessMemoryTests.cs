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
}
