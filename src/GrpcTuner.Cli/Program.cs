using GrpcTuner.Cli;

return await CliApp.Build().Parse(args).InvokeAsync();
