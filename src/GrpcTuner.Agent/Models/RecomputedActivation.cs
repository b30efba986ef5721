using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>
/// linear(act(x)), the second half of a transformer's feed-forward block, keeping only x for
/// backward and computing act(x) again there. Autograd keeps both x (for the activation's
/// backward) and act(x) (for the linear's weight gradient): two (batch, seq, intermediate) floats
/// per layer, the largest activations of a BERT layer beside the attention probabilities. This
/// keeps one. Backward is written out: the activation runs once more, the matrix products do not.
/// </summary>
public static class RecomputedActivation
{
    /// <summary>layer(activation(x)); the layer's weight and bias get their gradients as the layer's own forward would give them.</summary>
    /// <param name="activation">Elementwise and deterministic (it runs again in backward).</param>
    /// <param name="x">The activation's input (..., in_features).</param>
    /// <param name="layer">A linear layer with a bias.</param>
    public static Tensor Linear(Func<Tensor, Tensor> activation, Tensor x, Linear layer)
    {
        // Where the weight is frozen the layer keeps nothing of its input anyway.
        if (!torch.is_grad_enabled() || layer.bias is null || !layer.weight!.requires_grad)
        {
            return layer.forward(activation(x));
        }

        return Function.apply(activation, x, layer.weight, layer.bias);
    }

    private sealed class Function : autograd.SingleTensorFunction<Function>
    {
        public override string Name => nameof(RecomputedActivation);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (activation, x, weight, bias) = ((Func<Tensor, Tensor>)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3]);
            ctx.save_data("activation", activation);
            ctx.save_for_backward([x, weight]);
            using var activated = activation(x);
            return nn.functional.linear(activated, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            using var scope = torch.NewDisposeScope();
            var saved = SavedTensors.Take(ctx);
            var (x, weight) = (saved[0], saved[1]);
            var activation = (Func<Tensor, Tensor>)ctx.get_data("activation");
            Tensor input, activated;
            using (torch.enable_grad())
            {
                input = x.detach().requires_grad_(true);
                activated = activation(input);
            }

            var rows = gradOutput.reshape(-1, gradOutput.shape[^1]);
            var gradWeight = rows.t().matmul(activated.detach().reshape(-1, activated.shape[^1]));
            var gradBias = rows.sum(dim: 0L);
            var gradX = torch.autograd.grad([activated], [input], [gradOutput.matmul(weight)])[0];
            return [null!, gradX.MoveToOuterDisposeScope(), gradWeight.MoveToOuterDisposeScope(), gradBias.MoveToOuterDisposeScope()];
        }
    }
}
