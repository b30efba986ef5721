using System.CommandLine;
using GrpcTuner.Agent;
using GrpcTuner.Cli.Commands;

namespace GrpcTuner.Cli;

/// <summary>The grpctuner command tree, built in one place so that tests run the same commands as the executable.</summary>
public static class CliApp
{
    public static RootCommand Build() => new("grpctuner: a horizontally scaled hyperparameter-tuning service")
    {
        ServeCommand.Create(),
        StudyCommands.Create(),
        ExportCommand.Create(),
        WatchCommand.Create(),
        ReportCommand.Create(),
        DashboardCommand.Create(),
        KeysCommand.Create(),
        RunCommand.Create(),
        CbsCommand.Create(),
        JournalCommand.Create(),
        AgentApp.Configure(new Command("agent", "Run a trainer agent (the same program as grpctuner-agent)")),
    };
}
