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

    [Fact]
    public void AFileOverTwoGibibytesWritesAndReadsTensorByTensor()
    {
        var dir = Directory.CreateTempSubdirectory("grpctuner-large-").FullName;
        try
        {
            const long big = (2L << 30) + 4096; // one tensor alone over 2 GiB, and one stored past it
            var path = Path.Combine(dir, "model.safetensors");
            using (var huge = torch.zeros(big, dtype: ScalarType.Byte))
            {
                huge[0] = 7;
                huge[big - 1] = 9;
                SafeTensors.Save(path, new Dictionary<string, Tensor>
                {
                    ["a.head"] = torch.tensor(new[] { 1f, 2f }),
                    ["b.huge"] = huge,
                    ["c.tail"] = torch.tensor(new long[] { long.MaxValue, -3 }),
                });
            }

            Assert.True(new FileInfo(path).Length > big);
            using var source = SafeTensors.Open(path);
            using (var tail = source.Read("c.tail"))
            {
                Assert.Equal([long.MaxValue, -3], tail.data<long>().ToArray());
            }

            Assert.Equal(new TensorInfo(ScalarType.Byte, [big]).ToString(), source.Info("b.huge").ToString());
            using var read = source.Read("b.huge");
            Assert.Equal(7, read[0].item<byte>());
            Assert.Equal(9, read[big - 1].item<byte>());
            Assert.Equal(0, read[1L << 31].item<byte>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void IntegerAndBoolTensorsRoundTripAndAFloatDtypeLeavesThemAlone()
    {
        var path = Path.GetTempFileName();
        try
        {
            SafeTensors.Save(path, new Dictionary<string, Tensor>
            {
                ["ids"] = torch.arange(5, dtype: ScalarType.Int64),
                ["mask"] = torch.tensor(new[] { true, false }),
                ["w"] = torch.ones(2, 2),
            }, dtype: ScalarType.BFloat16);
            var loaded = SafeTensors.Load(path);
            Assert.Equal(ScalarType.Int64, loaded["ids"].dtype);
            Assert.Equal(ScalarType.Bool, loaded["mask"].dtype);
            Assert.Equal(ScalarType.BFloat16, loaded["w"].dtype);
            Assert.Equal(10, loaded["ids"].sum().item<long>());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnUnsupportedDtypeAndABadRangeAreNamed()
    {
        var path = Path.GetTempFileName();
        try
        {
            void Write(string header, int dataBytes)
            {
                var json = System.Text.Encoding.UTF8.GetBytes(header);
                File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)json.Length), .. json, .. new byte[dataBytes]]);
            }

            Write("{\"x\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2);
            using (var source = SafeTensors.Open(path))
            {
                var e = Assert.Throws<InvalidDataException>(() => source.Read("x"));
                Assert.Contains("tensor 'x' has dtype F8_E4M3", e.Message);
            }

            Write("{\"y\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);
            var range = Assert.Throws<InvalidDataException>(() => SafeTensors.Open(path));
            Assert.Contains("tensor 'y' has data_offsets [0, 16] outside the 8 data bytes", range.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
