using GrpcTuner.Agent.Models;
using GrpcTuner.Agent.Models.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Tests;

public class SafeTensorsTests
{
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void TensorsRoundTripExactlyInEachDtype(ScalarType dtype)
    {
        var path = Path.GetTempFileName();
        try
        {
            torch.manual_seed(1);
            var tensors = new Dictionary<string, Tensor>
            {
                ["a.weight"] = torch.randn(3, 5).to_type(dtype),
                ["b"] = torch.tensor(new[] { 1.5f, -2.25f, 1e-3f, 65504f }).to_type(dtype),
            };
            SafeTensors.Save(path, tensors, metadata: new Dictionary<string, string> { ["format"] = "pt" });
            var loaded = SafeTensors.Load(path);
            Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
            foreach (var (name, tensor) in tensors)
            {
                Assert.Equal(dtype, loaded[name].dtype);
                Assert.Equal(tensor.shape, loaded[name].shape);
                Assert.True(tensor.eq(loaded[name]).all().item<bool>(), $"{name} differs after the round trip");
            }

            // The data section starts 8-byte aligned, as the format requires.
            var headerLength = BitConverter.ToInt64(File.ReadAllBytes(path), 0);
            Assert.Equal(0, headerLength % 8);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ShardedCheckpointsLoadThroughTheirIndex()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var tensors = Enumerable.Range(0, 6).ToDictionary(i => $"layer.{i}.weight", i => torch.full(10, 10, (float)i));
            SafeTensors.SaveSharded(dir, tensors, maxShardBytes: 1000);
            Assert.True(Directory.GetFiles(dir, "model-*-of-*.safetensors").Length >= 3);
            var loaded = SafeTensors.Load(dir);
            Assert.Equal(6, loaded.Count);
            Assert.Equal(4f, loaded["layer.4.weight"][3, 3].item<float>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ATruncatedFileIsRefusedWithItsName()
    {
        var path = Path.GetTempFileName();
        File.WriteAllBytes(path, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        File.Delete(path);
    }
}
