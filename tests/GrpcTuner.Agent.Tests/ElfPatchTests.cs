using GrpcTuner.Build;

namespace GrpcTuner.Agent.Tests;

/// <summary>The build-time fix that lets TorchSharp 0.107 load on Debian 12's libstdc++.</summary>
public class ElfPatchTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string HostLibstdcxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    [Fact]
    public void MarkingWeakChangesOnlyThatEntrysFlags()
    {
        var original = OriginalLibrary();
        Assert.Equal((ushort)0, ElfVersionPatch.NeededFlags(original, Version));
        var copy = Path.GetTempFileName();
        try
        {
            File.Copy(original, copy, overwrite: true);
            Assert.True(ElfVersionPatch.MarkWeak(copy, Version));
            Assert.Equal(ElfVersionPatch.VerFlgWeak, ElfVersionPatch.NeededFlags(copy, Version));
            Assert.Equal((ushort)0, ElfVersionPatch.NeededFlags(copy, "GLIBCXX_3.4.30"));
            var before = File.ReadAllBytes(original);
            var after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));
            Assert.False(ElfVersionPatch.MarkWeak(copy, Version), "a second patch changes nothing");
            Assert.Null(ElfVersionPatch.NeededFlags(copy, "GLIBCXX_9.9.9"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void TheBuildPatchesTheOutputCopyExactlyWhenTheHostLacksTheVersion()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(output), $"{output} is missing");
        var hostHasIt = ElfVersionPatch.Defines(HostLibstdcxx, Version);
        Assert.Equal(hostHasIt ? (ushort)0 : ElfVersionPatch.VerFlgWeak, ElfVersionPatch.NeededFlags(output, Version));
    }

    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        using var t = TorchSharp.torch.ones(3, 4);
        Assert.Equal(12f, t.sum().item<float>());
    }

    [Fact]
    public void ItRejectsWhatIsNotAnElf64File()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "not an elf");
        Assert.Throws<InvalidDataException>(() => ElfVersionPatch.NeededFlags(file, Version));
        File.Delete(file);
    }

    /// <summary>The unpatched library as NuGet delivered it.</summary>
    private static string OriginalLibrary()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var path = Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(path), $"TorchSharp 0.107.0 is not in the NuGet cache at {path}; run 'dotnet restore'");
        return path;
    }
}
