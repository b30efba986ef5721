using GrpcTuner.Cli.Watching;
using GrpcTuner.V1;
using Spectre.Console;
using GrpcTuner.Client;

namespace GrpcTuner.Cli.Tests;

public sealed class WatchViewTests
{
    private static readonly Study Minimize = new() { Name = "view", Directions = { Direction.Minimize } };

    private static Trial T(long number, TrialState state, params double[] values) =>
        new() { Number = number, State = state, Values = { values }, Params = { ["x"] = new ParamValue { FloatValue = number } } };

    [Fact]
    public void ProgressKeepsTheLatestStateOfEachTrialAndTheBestValue()
    {
        var progress = new StudyProgress(Minimize);
        progress.Apply(T(0, TrialState.Running));
        progress.Apply(T(1, TrialState.Running));
        progress.Apply(T(0, TrialState.Complete, 0.7));
        progress.Apply(T(1, TrialState.Complete, 0.2));
        progress.Apply(T(2, TrialState.Pruned));
        progress.Apply(T(1, TrialState.Complete, 0.2)); // a resumed stream repeats events

        Assert.Equal(3, progress.Total);
        Assert.Equal(3, progress.Finished);
        Assert.Equal(2, progress.Counts[TrialState.Complete]);
        Assert.False(progress.Counts.TryGetValue(TrialState.Running, out var running) && running > 0);
        Assert.Equal(1, progress.Best!.Number);
    }

    [Fact]
    public void TheTerminalViewShowsProgressBestAndStates()
    {
        var progress = new StudyProgress(Minimize);
        progress.Apply(T(0, TrialState.Complete, 0.25));
        progress.Apply(T(1, TrialState.Running));
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 120;
        console.Write(WatchView.Render(progress, target: 4));

        var rendered = text.ToString();
        Assert.Contains("1 finished, 1 running, 4 wanted", rendered);
        Assert.Contains("25%", rendered);
        Assert.Contains("running 1  complete 1", rendered);
        Assert.Contains("trial 0: 0.25  x=0", rendered);
    }

    [Fact]
    public void BeforeAnyTrialTheViewSaysItIsWaitingAndWithoutAGoalItDrawsNoBar()
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 120;
        var progress = new StudyProgress(Minimize);
        console.Write(WatchView.Render(progress, target: null));
        Assert.Contains("waiting for trials", text.ToString());

        progress.Apply(T(0, TrialState.Complete, 0.5));
        console.Write(WatchView.Render(progress, target: null));
        Assert.Contains("1 finished, 0 running", text.ToString());
        Assert.DoesNotContain("%", text.ToString());
    }

    [Theory]
    [InlineData(2.187e-06, "0.000002187")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.5, "1.5")]
    [InlineData(123456789012.5, "123456789012.5")]
    [InlineData(1e-300, "1E-300")]
    [InlineData(-3.0000000000000004e-05, "-0.000030000000000000004")]
    public void NumbersPrintPositionallyWhereADecimalFitsAndRoundTrip(double value, string text)
    {
        Assert.Equal(text, TrialFormat.Number(value));
        Assert.Equal(value, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
    }
}
