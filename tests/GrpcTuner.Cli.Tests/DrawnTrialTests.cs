using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using GrpcTuner.Cli.Reports;
using GrpcTuner.V1;

namespace GrpcTuner.Cli.Tests;

/// <summary>The JSON of one trial as the report and the dashboard draw it.</summary>
public class DrawnTrialTests
{
    [Fact]
    public void ATrialIsWrittenWithItsParamsInNameOrderAndItsCurveToSevenDigits()
    {
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var trial = new Trial
        {
            Number = 42, State = TrialState.Pruned, WorkerId = "gpu-0", Values = { 0.123456789012 },
            Params = { ["z"] = new ParamValue { FloatValue = 0.5 }, ["a"] = new ParamValue { IntValue = 3 }, ["m"] = new ParamValue { StringValue = "adamw" }, ["b"] = new ParamValue { BoolValue = true } },
            IntermediateValues = { new IntermediateValue { Step = 0, Value = 1.0 / 3 }, new IntermediateValue { Step = 5, Value = 123456789.0 } },
            Lineage = { new LineageEntry { Step = 2, Parent = 7 } },
            StartTime = Timestamp.FromDateTimeOffset(start),
            Compute = new Compute { CpuSeconds = 12.5 },
        };

        var text = JsonSerializer.Serialize(new { trials = new[] { ReportData.Of(trial) } });
        var drawn = JsonNode.Parse(text)!["trials"]![0]!.AsObject();

        Assert.Equal(["number", "state", "values", "params", "curve", "lineage", "worker", "start", "complete", "cpu"], drawn.Select(p => p.Key));
        Assert.Equal(42, (long)drawn["number"]!);
        Assert.Equal("pruned", (string)drawn["state"]!);
        Assert.Equal(0.123456789012, (double)drawn["values"]![0]!);
        Assert.Equal(["a", "b", "m", "z"], drawn["params"]!.AsObject().Select(p => p.Key));
        Assert.Equal("{\"a\":3,\"b\":true,\"m\":\"adamw\",\"z\":0.5}", drawn["params"]!.ToJsonString());
        Assert.Equal("[[0,0.3333333],[5,1.234568E+08]]", drawn["curve"]!.ToJsonString());
        Assert.Equal("[{\"step\":2,\"parent\":7}]", drawn["lineage"]!.ToJsonString());
        Assert.Equal("gpu-0", (string)drawn["worker"]!);
        Assert.Equal(start.ToUnixTimeMilliseconds(), (long)drawn["start"]!);
        Assert.Null(drawn["complete"]);
        Assert.Equal(12.5, (double)drawn["cpu"]!);
    }
}
