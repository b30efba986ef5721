using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// LoRA (Hu et al. 2021) for one linear layer: the layer's output gains
/// (alpha / r) * B(A(dropout(x))), with A (r x in) Kaiming-uniform and B (out x r) zero, so training
/// starts exactly at the base model. The adapter sits beside the frozen base layer under its own
/// name, so the base keeps its Hugging Face parameter names and adapters save on their own.
/// </summary>
public sealed class LoraAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly MaskDropout dropout;

    public LoraAdapter(Linear target, int r, double alpha, double dropoutProbability) : base(nameof(LoraAdapter))
    {
        var (outFeatures, inFeatures) = (target.weight!.shape[0], target.weight.shape[1]);
        Scaling = alpha / r;
        lora_A = new Parameter(torch.empty(r, inFeatures));
        nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        lora_B = new Parameter(torch.zeros(outFeatures, r));
        dropout = new MaskDropout(dropoutProbability);
        RegisterComponents();
    }

    public double Scaling { get; }

    /// <summary>The adapter's contribution to the layer's output.</summary>
    public override Tensor forward(Tensor x) => dropout.forward(x).matmul(lora_A.t()).matmul(lora_B.t()).mul(Scaling);

    /// <summary>Adds (alpha / r) B A into the layer's weight, after which the adapter is no longer needed.</summary>
    public void MergeInto(Linear target)
    {
        using var noGrad = torch.no_grad();
        target.weight!.add_(lora_B.matmul(lora_A).mul(Scaling));
    }
}
