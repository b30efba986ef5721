using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace GrpcTuner.Cli.Commands;

/// <summary>
/// Durations as pipelines write them, "90s", "30m", "2h", "1d", as well as .NET's "00:30:00", so
/// that "--timeout 30m" means what it says.
/// </summary>
internal static class DurationOption
{
    public static Option<TimeSpan?> Create(string name, string description) => new(name)
    {
        Description = description + " (30m, 90s, 2h or 00:30:00)",
        CustomParser = Parse,
    };

    private static TimeSpan? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value.Trim();
        if (text.Length > 1 && "smhd".Contains(text[^1], StringComparison.Ordinal)
            && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            return text[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        result.AddError($"{result.Argument.Name}: '{text}' is not a positive duration such as 30m, 90s, 2h or 00:30:00");
        return null;
    }
}
