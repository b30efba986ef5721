namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>Finds the weights in a Hugging Face folder, in the order transformers prefers them: safetensors, then PyTorch pickles, single or sharded.</summary>
public static class CheckpointFolder
{
    private const string PyTorchFile = "pytorch_model.bin";
    private const string PyTorchIndex = "pytorch_model.bin.index.json";

    public static ITensorSource Open(string folder)
    {
        string In(string file) => Path.Combine(folder, file);
        if (File.Exists(In(SafeTensors.FileName)) || File.Exists(In(SafeTensors.IndexFile)))
        {
            return SafeTensors.Open(folder);
        }

        if (File.Exists(In(PyTorchFile)))
        {
            return new PyTorchStateDict(In(PyTorchFile));
        }

        if (File.Exists(In(PyTorchIndex)))
        {
            return new ShardedTensors(In(PyTorchIndex), shard => new PyTorchStateDict(shard));
        }

        throw new FileNotFoundException($"{folder} has no weights: expected {SafeTensors.FileName}, {SafeTensors.IndexFile}, {PyTorchFile} or {PyTorchIndex}");
    }
}
