using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models;

/// <summary>Hugging Face's hidden_act names (ACT2FN) that our models honour; any other name is refused, never silently replaced.</summary>
public static class Activations
{
    private static readonly Dictionary<string, Func<Tensor, Tensor>> ByName = new(StringComparer.Ordinal)
    {
        ["gelu"] = x => nn.functional.gelu(x),
        // gelu_new, gelu_fast and gelu_pytorch_tanh are all 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))).
        ["gelu_new"] = Tanh,
        ["gelu_fast"] = Tanh,
        ["gelu_pytorch_tanh"] = Tanh,
        ["quick_gelu"] = x => x.mul(x.mul(1.702).sigmoid()),
        ["relu"] = x => nn.functional.relu(x),
        ["silu"] = x => nn.functional.silu(x),
        ["swish"] = x => nn.functional.silu(x),
        ["tanh"] = x => x.tanh(),
    };

    public static string Supported => string.Join(", ", ByName.Keys);

    /// <exception cref="NotSupportedException">The name is not one we implement.</exception>
    public static Func<Tensor, Tensor> Get(string name) =>
        ByName.TryGetValue(name, out var f) ? f : throw new NotSupportedException($"hidden_act '{name}' is not supported; supported: {Supported}");

    private static Tensor Tanh(Tensor x) => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh);
}
