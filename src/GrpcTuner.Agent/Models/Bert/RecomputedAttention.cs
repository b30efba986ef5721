using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Bert;

/// <summary>
/// BERT's attention core in training, softmax(q k^T / sqrt(d) + mask) with dropout on the
/// probabilities, times v, keeping for backward only q, k, v, the mask and the dropout's keep-mask
/// as bytes; backward computes the probabilities again. Autograd on the CPU would keep the
/// probabilities, the dropout's noise in floats and the dropped probabilities: three floats per
/// batch x head x query x key, 75 MB a layer at batch 32, 12 heads and 128 tokens, the largest share
/// of a MiniLM training step's activations. Computing them again costs the layer's two smallest
/// matrix products: the selective recomputation of Korthikanti et al., "Reducing Activation
/// Recomputation in Large Transformer Models" (2022). The keep-mask is drawn once, in forward, so
/// the recomputation replays no random generator, on the CPU or a GPU.
/// </summary>
internal static class RecomputedAttention
{
    /// <param name="q">(batch, heads, seq, head dim).</param>
    /// <param name="k">(batch, heads, seq, head dim).</param>
    /// <param name="v">(batch, heads, seq, head dim).</param>
    /// <param name="additiveMask">Broadcast to (batch, heads, seq, seq): 0 where attended, a large negative number on padding.</param>
    /// <param name="dropout">Probability of dropping an attention probability, in (0, 1).</param>
    /// <param name="recompute">False where the whole layer is recomputed in backward anyway (gradient checkpointing): autograd then keeps what it needs for the one layer it recomputes.</param>
    public static Tensor Apply(Tensor q, Tensor k, Tensor v, Tensor additiveMask, double dropout, bool recompute)
    {
        using var scope = torch.NewDisposeScope();
        var (b, h, s) = (q.shape[0], q.shape[1], q.shape[2]);
        var keep = torch.empty([b, h, s, k.shape[2]], ScalarType.Bool, q.device).bernoulli_(1 - dropout);
        var context = recompute && torch.is_grad_enabled() && (q.requires_grad || k.requires_grad || v.requires_grad)
            ? Recompute.apply(q, k, v, additiveMask, keep, dropout)
            : Compute(q, k, v, additiveMask, keep, dropout);
        return context.MoveToOuterDisposeScope();
    }

    private static Tensor Compute(Tensor q, Tensor k, Tensor v, Tensor additiveMask, Tensor keep, double dropout)
    {
        using var scope = torch.NewDisposeScope();
        var probabilities = q.matmul(k.transpose(-2, -1)).div_(Math.Sqrt(q.shape[3])).add_(additiveMask).softmax(-1);
        return probabilities.mul(keep).div_(1 - dropout).matmul(v).MoveToOuterDisposeScope();
    }

    private sealed class Recompute : autograd.SingleTensorFunction<Recompute>
    {
        public override string Name => "RecomputedAttention";

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var (q, k, v, mask, keep, dropout) = ((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2], (Tensor)vars[3], (Tensor)vars[4], (double)vars[5]);
            // Saved through autograd, so that they stay alive until backward whatever disposes their wrappers.
            ctx.save_for_backward([q, k, v, mask, keep]);
            ctx.save_data("dropout", dropout);
            ctx.save_data("needs", new[] { q.requires_grad, k.requires_grad, v.requires_grad });
            return Compute(q, k, v, mask, keep, dropout);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            using var scope = torch.NewDisposeScope();
            var saved = ctx.get_saved_variables();
            var needs = (bool[])ctx.get_data("needs");
            using var grad = torch.enable_grad();
            var inputs = saved.Take(3).Select((t, i) => t.detach().requires_grad_(needs[i])).ToArray();
            var output = Compute(inputs[0], inputs[1], inputs[2], saved[3], saved[4], (double)ctx.get_data("dropout"));
            var wanted = inputs.Where((_, i) => needs[i]).ToList();
            var grads = new Queue<Tensor>(torch.autograd.grad([output], wanted, [gradOutput]));
            return [.. needs.Select(n => n ? grads.Dequeue().MoveToOuterDisposeScope() : null!), null!, null!, null!];
        }
    }
}
