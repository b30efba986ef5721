using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Llama;

/// <summary>
/// Rotary position embeddings in Hugging Face's rotate-half layout, with its rope_scaling kinds:
/// linear (positions divided by the factor), dynamic NTK (the base grows once a sequence is
/// longer than max_position_embeddings) and llama3 (low frequencies divided by the factor, high
/// ones kept, the band between smoothed), as transformers' modeling_rope_utils computes them.
/// </summary>
internal static class RotaryEmbedding
{
    /// <summary>cos and sin of shape (seq, head_dim) for positions 0..seq-1.</summary>
    public static (Tensor Cos, Tensor Sin) Table(LlamaConfig c, long seq, Device device)
    {
        using var invFreq = tensor(InverseFrequencies(c, seq), device: device);
        using var positions = arange(seq, dtype: ScalarType.Float32, device: device);
        using var freqs = positions.unsqueeze(1).mul(invFreq.unsqueeze(0));
        using var emb = cat([freqs, freqs], -1);
        return (emb.cos(), emb.sin());
    }

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        using var rotated = cat([x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)], -1);
        return x.mul(cos).add_(rotated.mul(sin));
    }

    /// <summary>1 / base^(2i / d), scaled as the config says; computed in double, then rounded once.</summary>
    internal static float[] InverseFrequencies(LlamaConfig c, long seq)
    {
        var d = c.HeadDim;
        var scaling = c.RopeScaling;
        var theta = c.RopeTheta;
        if (scaling is { Kind: "dynamic" } && seq > c.MaxPositionEmbeddings)
        {
            theta *= Math.Pow((scaling.Factor * seq / c.MaxPositionEmbeddings) - (scaling.Factor - 1), d / (d - 2.0));
        }

        var inv = Enumerable.Range(0, d / 2).Select(i => 1 / Math.Pow(theta, 2.0 * i / d)).ToArray();
        switch (scaling?.Kind)
        {
            case "linear":
                inv = inv.Select(f => f / scaling.Factor).ToArray();
                break;
            case "llama3":
                inv = inv.Select(f => Llama3(f, scaling)).ToArray();
                break;
        }

        return inv.Select(f => (float)f).ToArray();
    }

    private static double Llama3(double invFreq, RopeScaling s)
    {
        var old = (double)s.OriginalMaxPositionEmbeddings!.Value;
        var (low, high) = (s.LowFreqFactor!.Value, s.HighFreqFactor!.Value);
        var wavelength = 2 * Math.PI / invFreq;
        if (wavelength < old / high)
        {
            return invFreq;
        }

        if (wavelength > old / low)
        {
            return invFreq / s.Factor;
        }

        var smooth = ((old / wavelength) - low) / (high - low);
        return ((1 - smooth) * invFreq / s.Factor) + (smooth * invFreq);
    }
}
