using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Testing.Models;
using Microsoft.ML.OnnxRuntime.Tensors;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>
/// Our encoder on the imported MiniLM against ONNX Runtime on the original ONNX graph, fed the
/// very same padded batches: every non-padded position's last_hidden_state agrees to 1e-4.
/// </summary>
public class MiniLmParityTests
{
    private const float Tolerance = 1e-4f;

    [Fact]
    public void SentencesInPaddedBatchesMatchOnnxRuntime()
    {
        var texts = RealTexts.Sentences("computers", 24).Concat(RealTexts.Sentences("startrek", 16)).ToList();
        var ours = BertEncoding.Encode(MiniLm.Folder, texts, null, batchSize: 8, maxLength: 128, _ => { });
        var ids = ours["input_ids"];
        // Mixed lengths: the padding is real, and some texts are cut at 128 tokens.
        var lengths = ours["attention_mask"].sum(1).data<long>().ToArray();
        Assert.True(lengths.Min() < lengths.Max() / 3, $"lengths {lengths.Min()}..{lengths.Max()}");
        Assert.Equal(40, ids.shape[0]);
        AssertMatchesOnnxRuntime(ours, batchSize: 8);
    }

    [Fact]
    public void SentencePairsMatchOnnxRuntime()
    {
        var first = RealTexts.Sentences("law", 32);
        var second = RealTexts.Sentences("food", 32);
        var ours = BertEncoding.Encode(MiniLm.Folder, first, second, batchSize: 8, maxLength: 128, _ => { });
        // Both segments are there: type 1 on the second sentence of every pair.
        var types = ours["token_type_ids"];
        Assert.True(types.sum(1).gt(0).all().item<bool>(), "every pair has a second segment of type 1");
        AssertMatchesOnnxRuntime(ours, batchSize: 8);
    }

    private static void AssertMatchesOnnxRuntime(Dictionary<string, TorchSharp.torch.Tensor> ours, int batchSize)
    {
        using var session = new InferenceSession(MiniLm.OnnxPath);
        var (n, length) = (ours["input_ids"].shape[0], ours["input_ids"].shape[1]);
        var worst = 0f;
        for (long start = 0; start < n; start += batchSize)
        {
            var count = Math.Min(batchSize, n - start);
            NamedOnnxValue Input(string name) => NamedOnnxValue.CreateFromTensor(name,
                new DenseTensor<long>(ours[name].narrow(0, start, count).contiguous().data<long>().ToArray(), [(int)count, (int)length]));
            using var results = session.Run([Input("input_ids"), Input("attention_mask"), Input("token_type_ids")]);
            var reference = results.First(r => r.Name == "last_hidden_state").AsTensor<float>().ToArray();
            using var mine = ours["last_hidden_state"].narrow(0, start, count).contiguous();
            using var mask = ours["attention_mask"].narrow(0, start, count).unsqueeze(-1).to_type(ScalarType.Float32);
            using var theirs = tensor(reference, mine.shape);
            var diff = mine.sub(theirs).abs().mul(mask).max().item<float>();
            worst = Math.Max(worst, diff);
        }

        Assert.True(worst <= Tolerance, $"max |ours - ONNX Runtime| over non-padded positions = {worst:E3}");
    }
}
