using Google.Protobuf;
using GrpcTuner.Agent.Models.Checkpoints;
using GrpcTuner.Agent.Models.Onnx;
using GrpcTuner.Agent.Models.Onnx.Proto;
using GrpcTuner.Testing.Models;

namespace GrpcTuner.Agent.Tests.RealModels;

/// <summary>The importer on the real MiniLM graph, and on that graph changed the ways other exporters write theirs.</summary>
public sealed class OnnxImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpctuner-onnx-").FullName;

    [Fact]
    public void TheConfigIsReadFromTheGraphAndEveryWeightIsNamed()
    {
        var config = Models.HuggingFaceFolder.LoadConfig<Models.Bert.BertConfig>(MiniLm.Folder);
        Assert.Equal((30522, 384, 6, 12, 1536, 512, 2, "gelu"), (config.VocabSize, config.HiddenSize, config.NumHiddenLayers, config.NumAttentionHeads, config.IntermediateSize, config.MaxPositionEmbeddings, config.TypeVocabSize, config.HiddenAct));
        Assert.Equal(1e-12, config.LayerNormEps);
        using var weights = SafeTensors.Open(MiniLm.Folder);
        Assert.Equal(104, weights.Names.Count);
        Assert.Contains("encoder.layer.5.attention.self.query.weight", weights.Names);
        Assert.Equal("Int64 [1, 512]", weights.Info("embeddings.position_ids").ToString());
        Assert.DoesNotContain(weights.Names, n => !n.Contains('.'));
    }

    [Fact]
    public void AGemmWithoutTransBIsTransposedIntoLinearsOrientation()
    {
        var model = Load();
        var gemm = model.Graph.Node.Single(n => n.OpType == "Gemm");
        var weight = model.Graph.Initializer.Single(t => t.Name == gemm.Input[1]);
        Assert.Equal(1, gemm.Attribute.Single(a => a.Name == "transB").I);
        // The same product with B stored as in x out.
        gemm.Attribute.Single(a => a.Name == "transB").I = 0;
        var values = OnnxTensorValues(weight);
        var n = (int)weight.Dims[0];
        weight.RawData = ByteString.CopyFrom(Enumerable.Range(0, n * n).SelectMany(i => BitConverter.GetBytes(values[(i % n * n) + (i / n)])).ToArray());
        var folder = Import(model);
        using var ours = SafeTensors.Open(folder);
        using var original = SafeTensors.Open(MiniLm.Folder);
        using var a = ours.Read("pooler.dense.weight");
        using var b = original.Read("pooler.dense.weight");
        Assert.True(a.eq(b).all().item<bool>(), "the pooler's weight differs after the transposed export");
    }

    [Fact]
    public void AnInitializerThatCannotBeNamedIsAnErrorNamingIt()
    {
        var model = Load();
        var stray = new TensorProto { Name = "1234", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[4 * 384]) };
        stray.Dims.Add(384);
        model.Graph.Initializer.Add(stray);
        var mul = model.Graph.Node.First(n => n.OpType == "Mul");
        model.Graph.Node.Add(new NodeProto { OpType = "Mul", Name = "stray", Input = { mul.Output[0], "1234" }, Output = { "stray_out" } });
        var e = Assert.Throws<InvalidDataException>(() => Import(model));
        Assert.Contains("initializer '1234' (384) cannot be mapped to a parameter name; it feeds Mul", e.Message);
    }

    [Fact]
    public void ANonBertGraphAndAGarbageFileAreRefusedByName()
    {
        var garbage = Path.Combine(_dir, "garbage.onnx");
        File.WriteAllBytes(garbage, [0xFF, 0xFF, 0xFF, 0x01, 0x02]);
        Assert.Contains("not an ONNX model", Assert.Throws<InvalidDataException>(() => BertOnnxImporter.Import(garbage, MiniLm.VocabPath, Path.Combine(_dir, "g"), _ => { })).Message);
        var model = Load();
        foreach (var t in model.Graph.Initializer.Where(t => t.Name.StartsWith("embeddings.word_embeddings", StringComparison.Ordinal)).ToList())
        {
            t.Name = "wte.weight";
        }

        Assert.Contains("cannot be mapped", Assert.Throws<InvalidDataException>(() => Import(model)).Message);
    }

    private static ModelProto Load()
    {
        using var stream = File.OpenRead(MiniLm.OnnxPath);
        return ModelProto.Parser.ParseFrom(stream);
    }

    private static float[] OnnxTensorValues(TensorProto t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();

    private string Import(ModelProto model)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.onnx");
        using (var file = File.Create(path))
        {
            model.WriteTo(file);
        }

        var folder = Path.Combine(_dir, Path.GetFileNameWithoutExtension(path));
        BertOnnxImporter.Import(path, MiniLm.VocabPath, folder, _ => { });
        return folder;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
