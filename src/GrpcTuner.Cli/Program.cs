using System.CommandLine;
using GrpcTuner.Cli.Commands;

var root = new RootCommand("grpctuner: a horizontally scaled hyperparameter-tuning service")
{
    ServeCommand.Create(),
    StudyCommands.Create(),
    TrialsCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
