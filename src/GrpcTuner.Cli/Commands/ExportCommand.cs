using GrpcTuner.Agent.Commands;
using System.CommandLine;
using GrpcTuner.Cli.Exports;
using GrpcTuner.Cli.Specs;

namespace GrpcTuner.Cli.Commands;

/// <summary><c>grpctuner export</c>: every trial as CSV or Parquet (one column per objective and parameter) or as JSON messages.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("study") { Description = "Study name" };
        var format = new Option<string>("--format") { Description = "csv, json or parquet", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json", "parquet");
        var output = new Option<string?>("--output", "-o") { Description = "File to write; standard output when left out (not for parquet)" };
        var export = new Command("export", "Export a study's trials") { name, format, output }.WithConnection();
        export.SetAction((parse, ct) => CommonOptions.RunAsync(parse, async client =>
        {
            var path = parse.GetValue(output);
            if (parse.GetValue(format) == "parquet" && path is null)
            {
                throw new SpecException("--output: Parquet is binary; name a file to write");
            }

            var study = await client.LoadStudyAsync(parse.GetValue(name)!, ct);
            var trials = await study.TrialsAsync(ct);
            var columns = TrialColumns.Of(study.Info, trials);
            switch (parse.GetValue(format))
            {
                case "parquet":
                    await using (var file = File.Create(path!))
                    {
                        await ParquetExport.WriteAsync(columns, file, ct);
                    }

                    break;
                case var f:
                    var text = f == "json" ? JsonExport.Write(trials) : CsvExport.Write(columns);
                    await (path is null ? Console.Out.WriteAsync(text) : File.WriteAllTextAsync(path, text, ct));
                    break;
            }
        }));
        return export;
    }
}
