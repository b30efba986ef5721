using Parquet;
using Parquet.Schema;

namespace GrpcTuner.Cli.Exports;

/// <summary>Columns as one Parquet row group, typed and nullable, for pandas, Polars, Spark or DuckDB.</summary>
internal static class ParquetExport
{
    public static async Task WriteAsync(IReadOnlyList<TrialColumn> columns, Stream output, CancellationToken ct)
    {
        var fields = columns.Select(Field).ToList();
        var schema = new ParquetSchema(fields.Cast<Field>().ToArray());
        await using var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: ct);
        using var group = writer.CreateRowGroup();
        for (var i = 0; i < columns.Count; i++)
        {
            await WriteAsync(group, fields[i], columns[i]);
        }
    }

    private static Task WriteAsync(ParquetRowGroupWriter group, DataField field, TrialColumn c) => c.Type switch
    {
        ColumnType.Long => group.WriteAsync<long>(field, c.Cells.Select(x => (long?)x).ToArray()),
        ColumnType.Double => group.WriteAsync<double>(field, c.Cells.Select(x => (double?)x).ToArray()),
        ColumnType.Time => group.WriteAsync<DateTime>(field, c.Cells.Select(x => ((DateTimeOffset?)x)?.UtcDateTime).ToArray()),
        _ => group.WriteAsync(field, c.Cells.Select(x => (string?)x).ToArray()),
    };

    private static DataField Field(TrialColumn c) => c.Type switch
    {
        ColumnType.Long => new DataField<long?>(c.Name),
        ColumnType.Double => new DataField<double?>(c.Name),
        ColumnType.Time => new DataField<DateTime?>(c.Name),
        _ => new DataField(c.Name, typeof(string), isNullable: true),
    };
}
