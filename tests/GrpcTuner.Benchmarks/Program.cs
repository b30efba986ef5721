using GrpcTuner.Benchmarks;
using GrpcTuner.Benchmarks.Speed;
using GrpcTuner.Testing;

// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- speed [--stores embedded,redis] [--samplers random,tpe,gp,cmaes,nsga2] [--histories 1000,10000] [--clients 1,8,32] [--dims 2,5] [--peer]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- quality [--seeds 20] [--trials 100]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- workers [--workers 1000] [--seconds 60] [--think-ms 1000] [--warm-up 10]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- dbr-speed [--trials 300] [--warm-up 20]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- report-read [--reports 5,500,5000]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- sampler-cost [--samplers random,tpe,gp,cmaes,nsga2] [--histories 1000,10000] [--dims 2,5]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- fuzz [--requests 100000] [--seed 1]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- importance [--tables australian,credit_g,kc1] [--trials 200]
// dotnet run -c Release --project tests/GrpcTuner.Benchmarks -- seed-experiment [--quick] [--repetitions 5] [--no-minilm]
var mode = args.FirstOrDefault() ?? "speed";
var shared = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared"));
string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;

if (mode is "minilm-throughput" or "minilm-finetune")
{
    // As the agent does: under jemalloc where it is installed (the process starts again, here).
    GrpcTuner.Agent.Training.Jemalloc.Enter(args);
}

switch (mode)
{
    case "speed":
        await using (var redis = await RedisServer.StartAsync())
        {
            static int[] Ints(string csv) => csv.Split(',').Select(int.Parse).ToArray();
            await SpeedBenchmark.RunAsync(redis, Option("--stores", "embedded,redis").Split(','), Option("--samplers", "random,tpe").Split(','),
                Ints(Option("--histories", "1000,10000")), Ints(Option("--clients", "1,8,32")), Ints(Option("--dims", "2")));
            if (args.Contains("--peer"))
            {
                await OptunaPeer.RunAsync(Path.Combine(shared, "peers/optuna_asktell.py"), redis.Configuration);
            }
        }

        break;
    case "dbr-speed":
        await using (var redis = await RedisServer.StartAsync())
        {
            await GrpcTuner.Benchmarks.Speed.DefineByRunSpeed.RunAsync(redis, Path.Combine(AppContext.BaseDirectory, "Peers/optuna_define_by_run.py"),
                int.Parse(Option("--trials", "300")), int.Parse(Option("--warm-up", "20")));
        }

        break;
    case "report-read":
        await using (var redis = await RedisServer.StartAsync())
        {
            await ReportedTrialRead.RunAsync(redis, Option("--reports", "5,500,5000").Split(',').Select(int.Parse).ToArray());
        }

        break;
    case "workers":
        await ManyWorkers.RunAsync(int.Parse(Option("--workers", "1000")), TimeSpan.FromSeconds(int.Parse(Option("--seconds", "60"))),
            TimeSpan.FromMilliseconds(int.Parse(Option("--think-ms", "1000"))), TimeSpan.FromSeconds(int.Parse(Option("--warm-up", "10"))));
        break;
    case "fuzz":
        await Fuzz.RunAsync(int.Parse(Option("--requests", "100000")), int.Parse(Option("--seed", "1")));
        break;
    case "sampler-cost":
        SamplerCost.Run(Option("--samplers", "random,tpe").Split(',').Select(k => Enum.Parse<GrpcTuner.Core.Domain.SamplerKind>(k, ignoreCase: true)).ToList(),
            Option("--histories", "1000,10000").Split(',').Select(int.Parse).ToList(), Option("--dims", "2").Split(',').Select(int.Parse).ToList());
        break;
    case "minilm-throughput":
        GrpcTuner.Benchmarks.Agent.MiniLmThroughput.Run(int.Parse(Option("--threads", "2")));
        break;
    case "minilm-finetune":
        await GrpcTuner.Benchmarks.Agent.MiniLmFineTuning.RunAsync(int.Parse(Option("--epochs", "5")), args.Contains("--quick"));
        break;
    case "seed-experiment":
        await GrpcTuner.Benchmarks.Agent.SeedExperiment.RunAsync(int.Parse(Option("--repetitions", "5")), args.Contains("--quick"), !args.Contains("--no-minilm"));
        break;
    case "agent-memory":
        await GrpcTuner.Benchmarks.Agent.AgentMemory.RunAsync(int.Parse(Option("--trials", "10")), Option("--rows", "").Split(',', StringSplitOptions.RemoveEmptyEntries), int.Parse(Option("--per-class", "0")));
        break;
    case "cbs-speed":
        GrpcTuner.Benchmarks.Coverage.CoverageSpeed.Run();
        break;
    case "pbt-quality":
        GrpcTuner.Benchmarks.Quality.PbtQuality.Run(int.Parse(Option("--seeds", "20")));
        break;
    case "gp-quality":
        QualityBenchmark.RunGp(int.Parse(Option("--seeds", "20")), int.Parse(Option("--trials", "50")));
        break;
    case "cmaes-quality":
        QualityBenchmark.RunCmaEs(int.Parse(Option("--seeds", "20")), int.Parse(Option("--trials", "500")));
        break;
    case "mo-quality":
        GrpcTuner.Benchmarks.Quality.MultiObjectiveQuality.Run(int.Parse(Option("--seeds", "20")), int.Parse(Option("--trials", "1000")));
        break;
    case "dashboard":
        await using (var redis = await RedisServer.StartAsync())
        {
            await GrpcTuner.Benchmarks.Dashboard.DashboardSpeed.RunAsync(redis, int.Parse(Option("--trials", "10000")), int.Parse(Option("--runs", "5")), int.Parse(Option("--tells", "10")));
        }

        break;
    case "importance":
        GrpcTuner.Benchmarks.Quality.ImportanceComparison.Run(Option("--hpobench", Path.Combine(shared, "datasets/hpobench")),
            Option("--tables", "australian,credit_g,kc1").Split(','), int.Parse(Option("--trials", "200")));
        break;
    case "quality" when args.Contains("--peer"):
        GrpcTuner.Benchmarks.Quality.PeerComparison.Run(Option("--hpobench", Path.Combine(shared, "datasets/hpobench")), int.Parse(Option("--seeds", "20")), int.Parse(Option("--trials", "100")),
            args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault(), args.SkipWhile(a => a != "--peer-cache").Skip(1).FirstOrDefault(),
            args.SkipWhile(a => a != "--problems").Skip(1).FirstOrDefault());
        break;
    case "quality":
        QualityBenchmark.Run(Option("--hpobench", Path.Combine(shared, "datasets/hpobench")), int.Parse(Option("--seeds", "20")), int.Parse(Option("--trials", "100")));
        break;
    default:
        Console.Error.WriteLine("usage: GrpcTuner.Benchmarks speed [--stores ..] [--samplers ..] [--histories ..] [--clients ..] [--peer] | workers [--workers N] [--seconds N] [--think-ms N] [--warm-up N] | dbr-speed [--trials N] [--warm-up N] | fuzz [--requests N] [--seed N] | sampler-cost | minilm-throughput [--threads N] | agent-memory [--trials N] [--rows A,B] [--per-class N (default 0: every text)] | minilm-finetune [--epochs N] [--quick] | dashboard [--trials N] [--runs N] [--tells N] | importance | mo-quality | cmaes-quality | gp-quality | pbt-quality | quality [--seeds N] [--trials N] [--hpobench DIR]");
        return 2;
}

return 0;
