using GrpcTuner.Agent;

return await AgentApp.Build().Parse(args).InvokeAsync();
