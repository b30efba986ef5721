using GrpcTuner.Testing.Models;

namespace GrpcTuner.Benchmarks.Agent;

/// <summary>The real text-classification task of the agent benchmarks: MiniLM on five categories of Debian's fortunes, as the README's second example runs it.</summary>
internal static class FortunesTask
{
    public const string Categories = "[computers, food, law, startrek, sports]";

    /// <summary>A task file in a folder; the caller deletes the folder.</summary>
    public static string Write(string folder, string extra = "", string? defaults = null)
    {
        var path = Path.Combine(folder, "task.yaml");
        File.WriteAllText(path, $"task: bert-classification\nmodel_dir: {MiniLm.Folder}\ndataset: fortunes\nfortune_categories: {Categories}\n{extra}"
            + (defaults is null ? "" : $"defaults: {{{defaults}}}\n"));
        return path;
    }
}
