namespace GrpcTuner.Cli.Tests;

public sealed class DurationOptionTests
{
    [Theory]
    [InlineData("30m", 1800)]
    [InlineData("90s", 90)]
    [InlineData("2h", 7200)]
    [InlineData("1.5h", 5400)]
    [InlineData("00:00:05", 5)]
    public void TimeoutsParseAsPipelinesWriteThem(string text, int seconds)
    {
        var parsed = CliApp.Build().Parse(["run", "--spec", "s.yaml", "--timeout", text]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), parsed.GetValue<TimeSpan?>("--timeout"));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5m")]
    [InlineData("0s")]
    public void ANonDurationIsOneClearError(string text)
    {
        var parsed = CliApp.Build().Parse(["watch", "study", "--timeout", text]);
        Assert.Equal($"--timeout: '{text}' is not a positive duration such as 30m, 90s, 2h or 00:30:00", Assert.Single(parsed.Errors).Message);
    }
}
