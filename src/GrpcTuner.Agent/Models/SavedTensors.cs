using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// What a custom autograd function's forward saved, taken once by its backward. PyTorch frees a
/// node's saved tensors as soon as its backward has run (unless retain_graph); TorchSharp's custom
/// nodes keep them until the graph is disposed, which in a training step is after the optimizer
/// step, so every layer's saved activations stayed alive through the step and set its peak.
/// None of our functions is run backward twice.
/// </summary>
internal static class SavedTensors
{
    public static List<Tensor> Take(autograd.AutogradContext ctx)
    {
        var saved = ctx.get_saved_variables();
        ctx.Dispose();
        return saved;
    }
}
