using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Docs;

/// <summary>
/// docs/telemetry.md lists what the code publishes: every <c>[LoggerMessage]</c> of both packages (ID, name, level,
/// category, message template), every instrument (the public names, and any name an instrument is created with in the
/// sources) and every span event. A log event or instrument added to the code without its row fails here, so does a
/// row left behind by one that is gone, and an instrument row whose kind or unit is not the one the code creates.
/// </summary>
public sealed partial class TelemetryDocsTests
{
    private static readonly Assembly[] Packages = [typeof(RetryOptions).Assembly, typeof(OutlierDetectionOptions).Assembly];

    private static readonly string Root = FindRoot();

    private static readonly string[] Rows = File.ReadAllLines(Path.Combine(Root, "docs", "telemetry.md"))
        .Where(line => line.StartsWith('|'))
        .ToArray();

    [Test]
    public void LogEvents_EveryLoggerMessageHasItsRow()
    {
        var events = LoggerMessages().ToList();
        var missing = events
            .Where(e => !Rows.Any(row => Cells(row) is [var id, var name, var level, var category, var template, ..]
                && id == e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                && name == $"`{e.Name}`"
                && level == e.Level.ToString()
                && category == $"`{e.Category}`"
                && template == $"`{e.Template}`"))
            .Select(e => $"{e.Id} {e.Name} ({e.Level}, {e.Category}): {e.Template}")
            .ToList();

        Assert.That(events, Has.Count.GreaterThanOrEqualTo(29), "the [LoggerMessage] methods of both packages were found");
        Assert.That(events.Select(e => e.Id), Is.Unique, "event IDs");
        Assert.That(missing, Is.Empty, "log events without their row in docs/telemetry.md (| ID | `name` | level | `category` | `template` |)");
    }

    [Test]
    public void Instruments_EveryNameHasItsRow()
    {
        var names = InstrumentNames().ToList();
        var missing = names.Where(name => !Rows.Any(row => Cells(row) is [var first, ..] && first == $"`{name}`")).ToList();

        Assert.That(names, Has.Count.GreaterThanOrEqualTo(14), "the instrument names were found");
        Assert.That(missing, Is.Empty, "instruments without their row in docs/telemetry.md");
    }

    [Test]
    public void LogEvents_EveryRowIsAnEventOfTheCode()
    {
        var ids = LoggerMessages().Select(e => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var stale = Rows.Select(Cells)
            .Where(cells => cells is [var id, ..] && id.Length > 0 && id.All(char.IsAsciiDigit) && !ids.Contains(id))
            .Select(cells => string.Join(" | ", cells))
            .ToList();

        Assert.That(stale, Is.Empty, "rows of docs/telemetry.md for log events the code no longer has");
    }

    [Test]
    public void Instruments_EveryRowIsAnInstrumentOfTheCode()
    {
        var names = InstrumentNames().ToHashSet(StringComparer.Ordinal);
        var stale = InstrumentRows().Keys.Where(name => !names.Contains(name)).ToList();

        Assert.That(stale, Is.Empty, "rows of docs/telemetry.md for instruments the code no longer creates");
    }

    [Test]
    public void Instruments_RowsGiveTheKindAndUnitTheCodeCreates()
    {
        // Every instrument of both packages on the shared meter (a stack with every layer, and outlier detection's), as a
        // metrics listener sees it when it starts.
        _ = new ScriptedCallInvoker().WithResilience(new ResilienceOptions
        {
            Retry = new RetryOptions { Throttling = new RetryThrottlingOptions() },
            Hedging = new HedgingOptions { HedgedMethods = { "/unstable.v1.UnstableService/Process" } },
            AdaptiveThrottling = new AdaptiveThrottlingOptions(),
        });
        _ = Interceptors.OutlierDetection.OutlierDetectionMetrics.For(meterFactory: null);
        var published = new List<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ResilienceTelemetry.MeterName)
                {
                    published.Add(instrument);
                }
            };
            listener.Start();
        }

        var rows = InstrumentRows();
        var wrong = published
            .DistinctBy(instrument => instrument.Name)
            .Where(instrument => !rows.TryGetValue(instrument.Name, out var row)
                || !row.Kind.StartsWith(KindOf(instrument), StringComparison.Ordinal)
                || row.Unit != $"`{instrument.Unit}`")
            .Select(instrument => $"{instrument.Name}: {KindOf(instrument)}, `{instrument.Unit}`")
            .ToList();

        Assert.That(published.Select(i => i.Name).Distinct().Count(), Is.EqualTo(InstrumentNames().Count()), "every instrument name of the code was published");
        Assert.That(wrong, Is.Empty, "instruments whose row in docs/telemetry.md gives another kind or unit (| `name` | kind | `unit` | ...)");
    }

    [Test]
    public void SpanEvents_EveryEventHasItsRow()
    {
        var traceNames = typeof(ResilienceTelemetry).Assembly.GetType("ResilientGrpc.Interceptors.Telemetry.TraceNames", throwOnError: true)!;
        var events = traceNames.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && !f.Name.StartsWith("Rpc", StringComparison.Ordinal) && !f.Name.EndsWith("Tag", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        var missing = events.Where(name => !Rows.Any(row => Cells(row) is [var first, ..] && first == $"`{name}`")).ToList();

        Assert.That(events, Has.Count.GreaterThanOrEqualTo(6), "the span event names were found");
        Assert.That(missing, Is.Empty, "span events without their row in docs/telemetry.md");
    }

    /// <summary>Every <c>[LoggerMessage]</c> on a method of either package, with the category its class logs to.</summary>
    private static IEnumerable<(int Id, string Name, LogLevel Level, string Category, string Template)> LoggerMessages() =>
        from type in Packages.SelectMany(a => a.GetTypes())
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        from attribute in method.GetCustomAttributes<LoggerMessageAttribute>()
        select (attribute.EventId, attribute.EventName ?? method.Name, attribute.Level, CategoryOf(type), attribute.Message);

    /// <summary>A log class is named after its category: <c>RetryLog</c> logs to <c>ResilientGrpc.Retry</c>.</summary>
    private static string CategoryOf(Type logClass) =>
        ResilienceTelemetry.LoggerCategoryPrefix + "." + (logClass.Name.EndsWith("Log", StringComparison.Ordinal) ? logClass.Name[..^3] : logClass.Name);

    /// <summary>The public instrument names, and every name a <c>Create…</c> call of the sources passes as a literal or a constant.</summary>
    private static IEnumerable<string> InstrumentNames()
    {
        var constants = typeof(ResilienceTelemetry.Instruments).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!, StringComparer.Ordinal);
        var created = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "Interceptors"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            foreach (Match match in InstrumentCreation().Matches(File.ReadAllText(file)))
            {
                created.Add(match.Groups["literal"].Success
                    ? match.Groups["literal"].Value
                    : constants.GetValueOrDefault(match.Groups["constant"].Value) ?? $"(unknown constant {match.Groups["constant"].Value} in {file})");
            }
        }

        Assert.That(created, Is.Not.Empty, "the sources' Create… calls were found");
        return constants.Values.Concat(created).Distinct(StringComparer.Ordinal);
    }

    /// <summary>The rows of the instruments table, by name: | `name` | kind | `unit` | tags | Prometheus name |.</summary>
    private static Dictionary<string, (string Kind, string Unit)> InstrumentRows() =>
        Rows.Select(Cells)
            .Where(cells => cells is [var name, _, _, _, var prometheus] && name.StartsWith('`') && prometheus.StartsWith('`') && !name.Contains(' ', StringComparison.Ordinal))
            .ToDictionary(cells => cells[0].Trim('`'), cells => (cells[1], cells[2]), StringComparer.Ordinal);

    private static string KindOf(Instrument instrument) => instrument.GetType().Name switch
    {
        var name when name.StartsWith("ObservableGauge", StringComparison.Ordinal) => "observable gauge",
        var name when name.StartsWith("Counter", StringComparison.Ordinal) => "counter",
        var name when name.StartsWith("Histogram", StringComparison.Ordinal) => "histogram",
        var name => name,
    };

    private static string[] Cells(string row) =>
        row.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ResilientGrpc.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ResilientGrpc.slnx not found above the test output.");
    }

    [GeneratedRegex(@"\.Create(?:Counter|Histogram|UpDownCounter|Gauge|ObservableCounter|ObservableGauge|ObservableUpDownCounter)(?:<[^>]+>)?\(\s*(?:""(?<literal>[^""]+)""|ResilienceTelemetry\.Instruments\.(?<constant>\w+))")]
    private static partial Regex InstrumentCreation();
}
