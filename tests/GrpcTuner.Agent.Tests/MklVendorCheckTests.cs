using System.Runtime.InteropServices;
using GrpcTuner.Agent.Training;

namespace GrpcTuner.Agent.Tests;

/// <summary>oneMKL's vendor check, lifted in this process before its first matrix product (see AssemblyInfo.cs), as the agent lifts it.</summary>
public class MklVendorCheckTests
{
    private delegate int VendorCheck();

    [Fact]
    public void MklChoosesByFeaturesOnceLiftedAndASecondLiftChangesNothing()
    {
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libtorch_cpu.so");
        Assert.True(NativeLibrary.TryLoad(library, out var handle), $"{library} does not load");
        var check = Marshal.GetDelegateForFunctionPointer<VendorCheck>(NativeLibrary.GetExport(handle, "mkl_serv_intel_cpu_true"));
        // 0 on an AMD CPU had the check not been lifted.
        Assert.Equal(1, check());
        Assert.Equal(MklVendorCheck.Outcome.AlreadyIntel, MklVendorCheck.Lift().Outcome);

        using var a = TorchSharp.torch.arange(12f).reshape(3, 4);
        using var product = a.matmul(a.t());
        Assert.Equal(4f * 8 + 5 * 9 + 6 * 10 + 7 * 11, product[1, 2].item<float>());
    }
}
