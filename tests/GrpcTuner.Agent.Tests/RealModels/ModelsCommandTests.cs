using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Testing.Models;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>grpctuner-agent models, run as a user runs it.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpctuner-models-").FullName;

    [Fact]
    public async Task EncodeWritesTheInputsAndTheLastHiddenStateOfEveryLine()
    {
        var texts = Path.Combine(_dir, "texts.txt");
        var pairs = Path.Combine(_dir, "pairs.txt");
        await File.WriteAllLinesAsync(texts, ["The first sentence.", "A second, longer sentence about computers and food.", "Third."]);
        await File.WriteAllLinesAsync(pairs, ["one", "two", "three"]);
        var output = Path.Combine(_dir, "out.safetensors");
        using var encode = AgentProcess.Start("models", "encode", MiniLm.Folder, "--text-file", texts, "--pair-file", pairs, "--out", output, "--batch-size", "2");
        Assert.Equal(0, await encode.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        using var file = SafeTensors.Open(output);
        Assert.Equal(["attention_mask", "input_ids", "last_hidden_state", "token_type_ids"], file.Names.Order());
        var length = file.Info("input_ids").Shape[1];
        Assert.Equal("Float32 [3, " + length + ", 384]", file.Info("last_hidden_state").ToString());
        Assert.Equal("Int64 [3, " + length + "]", file.Info("token_type_ids").ToString());
    }

    [Fact]
    public async Task MistakesGetOneErrorLineAndNoStackTrace()
    {
        using var missing = AgentProcess.Start("models", "encode", MiniLm.Folder, "--text-file", Path.Combine(_dir, "nothing.txt"), "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(1, await missing.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.StartsWith("error: ", Assert.Single(missing.ErrorLines));
        Assert.Contains("nothing.txt", missing.ErrorLines[0]);
        using var notOnnx = AgentProcess.Start("models", "import-onnx", MiniLm.VocabPath, "--vocab", MiniLm.VocabPath, "--out", Path.Combine(_dir, "y"));
        Assert.Equal(1, await notOnnx.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("not an ONNX model", Assert.Single(notOnnx.ErrorLines));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
