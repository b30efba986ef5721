using System.Runtime.InteropServices;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// oneMKL, which libtorch links into libtorch_cpu.so for its CPU matrix products, chooses its
/// kernels by the CPU's features only when the CPU's vendor id is GenuineIntel; on AMD it runs a
/// generic path. On this project's AMD EPYC (Zen 5, AVX-512) that path does 4096x384x1536 products
/// at 127 GFLOP/s on 2 threads where the AVX-512 kernels do 272, and a MiniLM fine-tuning step takes
/// about 1.6 times as long (see README, "Checkpoints, memory and speed").
/// MKL keeps the answer of its vendor check in one int, mkl_serv_intel_cpu_true.cached, -1 until
/// the first product asks. Setting it to 1 before that lets the feature checks decide, as
/// LD_PRELOAD shims defining mkl_serv_intel_cpu_true do elsewhere; the library file is not changed.
/// The int is found by name in the library's symbol table, at the address the loader mapped the
/// library to, and written only when it still holds -1 and lies in a writable mapping of that file.
/// GRPCTUNER_MKL_VENDOR_CHECK=keep leaves MKL as it is.
/// </summary>
public static class MklVendorCheck
{
    private const string Library = "libtorch_cpu.so";
    private const string Cache = "mkl_serv_intel_cpu_true.cached";
    private const string Check = "mkl_serv_intel_cpu_true";

    /// <summary>What <see cref="Lift"/> found; <see cref="Outcome.Lifted"/> when it set the vendor check.</summary>
    public enum Outcome
    {
        Lifted,
        AlreadyIntel,
        AlreadyDecided,
        Kept,
        NotFound,
    }

    /// <summary>
    /// Lets MKL choose its kernels by features on any vendor's CPU. Call before the first matrix
    /// product (a later call finds the check decided and changes nothing). Loads libtorch if needed.
    /// </summary>
    /// <returns>What it did, and why, for the agent's log.</returns>
    public static (Outcome Outcome, string Detail) Lift()
    {
        if (Environment.GetEnvironmentVariable("GRPCTUNER_MKL_VENDOR_CHECK") == "keep")
        {
            return (Outcome.Kept, "GRPCTUNER_MKL_VENDOR_CHECK=keep");
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return (Outcome.NotFound, "MKL's vendor check is looked for on x64 Linux only");
        }

        // Any call into libtorch loads it; this one does no matrix product.
        _ = TorchSharp.torch.get_num_threads();
        var mapped = ProcessMappings.Of(Library).ToList();
        if (mapped.Count == 0)
        {
            return (Outcome.NotFound, $"{Library} is not loaded");
        }

        var path = mapped[0].Path;
        var symbols = ElfSymbols.Read(path, [Cache, Check]);
        if (!symbols.TryGetValue(Cache, out var cache) || !symbols.TryGetValue(Check, out var check) || cache.Size != 4)
        {
            return (Outcome.NotFound, $"{path} has no {Cache} (not the oneMKL this was written for)");
        }

        if (!NativeLibrary.TryLoad(path, out var handle))
        {
            return (Outcome.NotFound, $"{path} does not load");
        }

        // The library is loaded already: this handle only counts one more reference, given back at once.
        var exports = NativeLibrary.TryGetExport(handle, Check, out var exported);
        NativeLibrary.Free(handle);
        if (!exports)
        {
            return (Outcome.NotFound, $"{path} does not export {Check}");
        }

        var address = exported - (nint)check.Value + (nint)cache.Value;
        if (!mapped.Any(m => m.Writable && address >= m.Start && address + 4 <= m.End))
        {
            return (Outcome.NotFound, $"{Cache} is not in a writable mapping of {path}");
        }

        switch (Marshal.ReadInt32(address))
        {
            case 1:
                return (Outcome.AlreadyIntel, "MKL found an Intel CPU");
            case -1:
                Marshal.WriteInt32(address, 1);
                return (Outcome.Lifted, "MKL chooses its kernels by the CPU's features");
            default:
                return (Outcome.AlreadyDecided, "MKL ran before its vendor check could be lifted");
        }
    }
}
