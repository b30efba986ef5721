namespace GrpcTuner.Cli.Tests;

/// <summary>Runs grpctuner commands in-process, capturing what they print. Console output is global, so callers share the "console" collection.</summary>
internal static class CliRunner
{
    public static Task<(int Code, string Output, string Error)> RunAsync(params string[] args) => RunAsync(new StringWriter(), args);

    public static async Task<(int Code, string Output, string Error)> RunAsync(TextWriter output, params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await CliApp.Build().Parse(args).InvokeAsync();
            return (code, output.ToString() ?? "", error.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
