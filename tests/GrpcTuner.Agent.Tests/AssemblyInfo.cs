using System.Runtime.CompilerServices;

// libtorch's default random generator is process-wide: tests that check bit-exact reproducibility
// (same seed, resumed checkpoints) must not share it with other tests running at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace GrpcTuner.Agent.Tests;

internal static class TestProcess
{
    /// <summary>
    /// The tests compute with the kernels the agent computes with: the agent lifts oneMKL's vendor
    /// check before its first matrix product, so the parity tests against ONNX Runtime and PyTorch
    /// check those kernels.
    /// </summary>
    [ModuleInitializer]
    internal static void LiftMklVendorCheck() => _ = GrpcTuner.Agent.Training.MklVendorCheck.Lift();
}
