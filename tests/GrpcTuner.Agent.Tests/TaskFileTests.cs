using GrpcTuner.Agent.Tasks;
using GrpcTuner.V1;

namespace GrpcTuner.Agent.Tests;

public sealed class TaskFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpctuner-taskfile-").FullName;

    [Fact]
    public void DefaultsFillWhatTheStudyDoesNotTuneAndTheStudyWins()
    {
        var task = TaskFile.Load(Write("task: fashion-mnist\ndefaults: {gradient_checkpointing: true, per_device_batch_size: 16, learning_rate: 0.003, lr_scheduler: cosine}\n"));
        var hp = task.HyperParametersOf(new Dictionary<string, ParamValue> { ["learning_rate"] = new() { FloatValue = 0.01 } });
        Assert.True(hp.GradientCheckpointing);
        Assert.Equal(16, hp.BatchSize);
        Assert.Equal("cosine", hp.LrScheduler);
        Assert.Equal(0.01, hp.LearningRate);
    }

    [Theory]
    [InlineData("task: bert-classification\nmodel_dir: m\n", "'train_file' is required for task 'bert-classification'")]
    [InlineData("task: bert-classification\nmodel_dir: m\ninitialization: zeros\n", "initialization 'zeros' is not one of: pretrained, random")]
    [InlineData("task: bert-classification\nmodel_dir: m\ndataset: fortunes\n", "dataset 'fortunes' needs fortune_categories")]
    [InlineData("task: fashion-mnist\ntrain_samples: many\n", "'train_samples' must be an integer, got 'many'")]
    [InlineData("task: translation\n", "task 'translation' is not one of: fashion-mnist, bert-classification, causal-lm")]
    [InlineData("model_dir: m\n", "'task' is required")]
    public void MistakesAreNamedWithTheFile(string text, string message)
    {
        var path = Write(text);
        var e = Assert.Throws<InvalidDataException>(() => TaskFile.Load(path));
        Assert.Contains(message, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void BrokenYamlIsNamedWithItsLineAndColumn()
    {
        var e = Assert.Throws<InvalidDataException>(() => TaskFile.Load(Write("task: [fashion-mnist\n")));
        Assert.Matches(@"task\.yaml:\d+:\d+: ", e.Message);
    }

    [Fact]
    public void EveryExampleTaskFileLoads()
    {
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Examples"), "*.task.yaml");
        Assert.Contains(examples, e => e.EndsWith("minilm-fortunes.task.yaml", StringComparison.Ordinal));
        foreach (var example in examples)
        {
            Assert.NotNull(TaskFile.Load(example));
        }
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir, "task.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
