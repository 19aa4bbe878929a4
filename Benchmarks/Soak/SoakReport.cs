using System.Globalization;
using System.Text;
using ResilientGrpc.Benchmarks.Infrastructure;
using static ResilientGrpc.Benchmarks.Soak.SoakFormat;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>Formats a soak as markdown (printed and written to <c>results/soak.md</c>), and its samples as progress lines.</summary>
internal static class SoakReport
{
    private static readonly string[] SampleHeaders =
    [
        "sample", "elapsed s", "heap MB", "Δ heap vs warm MB", "working set MB", "threads", "pool threads", "handles", "fds", "in flight", "calls started", "breaker opened",
    ];

    /// <summary>One sample as a console line, while the soak runs.</summary>
    public static string SampleLine(ResourceSample sample, string label) => string.Create(
        CultureInfo.InvariantCulture,
        $"[{label}] {sample.Elapsed.TotalSeconds:0} s: heap {Mb(sample.HeapBytes)} MB (working set {Mb(sample.WorkingSetBytes)} MB), {sample.Threads} threads ({sample.PoolThreads} pool), "
        + $"{sample.Handles} handles, {(sample.FileDescriptors is { } fds ? Int(fds) : "–")} fds, {sample.InFlight} in flight, "
        + $"{sample.Calls} calls started, breaker opened {sample.BreakerOpenings}");

    /// <summary>The whole report: what ran, what callers saw, what the process held, and the verdict.</summary>
    public static string Markdown(SoakResult result, IReadOnlyList<SoakCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Soak of {result.StartedAt:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {Environment.OSVersion}.")
            .AppendLine()
            .AppendLine(result.Scenario.Describe())
            .AppendLine()
            .Append(TextTable.Markdown(["", ""], Summary(result)))
            .AppendLine()
            .AppendLine("Final status of the calls:")
            .AppendLine()
            .Append(TextTable.Markdown(["outcome", "unary", "streams", "all", "share"], Outcomes(result.Tally)))
            .AppendLine()
            .AppendLine("Exceptions the callers caught (anything but an `RpcException` is a defect):")
            .AppendLine()
            .Append(TextTable.Markdown(["exception type", "status", "note", "calls"], Exceptions(result.Tally), textColumns: 3))
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Unobserved task exceptions: {Int(result.Unobserved)}.");
        foreach (var unobserved in result.FirstUnobserved)
        {
            _ = text.AppendLine(CultureInfo.InvariantCulture, $"- `{unobserved}`");
        }

        return text.AppendLine()
            .AppendLine("The stack's log at Warning and above, by event:")
            .AppendLine()
            .Append(TextTable.Markdown(["event", "messages"], [.. result.LogEvents.OrderByDescending(e => e.Value).Select(e => new[] { e.Key, Int(e.Value) })]))
            .AppendLine()
            .AppendLine("The process, after a full compacting collection, before the traffic, at the end of every minute and once the calls had drained:")
            .AppendLine()
            .Append(TextTable.Markdown(SampleHeaders, Samples(result)))
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Heap trend from the warm baseline on (least squares over the minute samples): {SignedMb(result.HeapSlopePerMinute)} MB per minute.")
            .AppendLine()
            .Append(TextTable.Markdown(["check", "bar", "measured", "result"], [.. checks.Select(c => new[] { c.Name, c.Bar, c.Measured, c.Pass ? "PASS" : "FAIL" })], textColumns: 4))
            .AppendLine()
            .AppendLine(SoakVerdict.Line(checks))
            .ToString();
    }

    private static List<string[]> Summary(SoakResult r) =>
    [
        ["traffic", string.Create(CultureInfo.InvariantCulture, $"{r.TrafficTime.TotalMinutes:0.0} min")],
        ["calls started", Int(r.Calls)],
        ["calls ended", Int(r.Tally.Ended)],
        ["calls shed (in-flight limit)", Int(r.Shed)],
        ["most calls in flight", Int(r.PeakInFlight)],
        ["attempts that reached the server", string.Create(CultureInfo.InvariantCulture, $"{r.ServerCalls} ({(r.Calls == 0 ? 0 : (double)r.ServerCalls / r.Calls):0.00} per call)")],
        ["breaker opened (reopenings included)", Int(r.Openings)],
        ["breaker half-opened (probes)", Int(r.Probes)],
        ["breaker closed", Int(r.Closings)],
        ["log lines at Warning and above", string.Create(CultureInfo.InvariantCulture, $"{r.LogLines} ({r.LogCharacters / 1e6:0.0} M characters formatted)")],
        ["measurements recorded by the meter listener", Int(r.Measurements)],
    ];

    private static List<string[]> Outcomes(CallTally tally)
    {
        var all = tally.Outcomes.Values.Sum();
        return [.. tally.Outcomes.Keys.Select(k => k.Outcome).Distinct().Select(outcome =>
        {
            var unary = tally.Outcomes.GetValueOrDefault((CallKind.Unary, outcome));
            var streams = tally.Outcomes.GetValueOrDefault((CallKind.Stream, outcome));
            return (Outcome: outcome, Unary: unary, Streams: streams);
        }).OrderByDescending(o => o.Unary + o.Streams).Select(o => new[]
        {
            o.Outcome, Int(o.Unary), Int(o.Streams), Int(o.Unary + o.Streams), Percent(all == 0 ? 0 : (double)(o.Unary + o.Streams) / all),
        })];
    }

    private static List<string[]> Exceptions(CallTally tally) =>
        [.. tally.Exceptions.OrderByDescending(e => e.Value).Select(e => new[]
        {
            e.Key.Type, e.Key.Status, e.Key.Status == "–" ? "**defect: not an RpcException**" : string.Empty, Int(e.Value),
        })];

    private static List<string[]> Samples(SoakResult r)
    {
        var labelled = r.Samples.Select((s, i) => (Label: i switch
        {
            0 => "start",
            1 => "warm",
            _ when i == r.Samples.Count - 1 => "end",
            _ => string.Create(CultureInfo.InvariantCulture, $"minute {i}"),
        }, Sample: s)).Append((Label: "after drain", Sample: r.AfterDrain));
        return [.. labelled.Select(l => new[]
        {
            l.Label, Int((long)Math.Round(l.Sample.Elapsed.TotalSeconds)), Mb(l.Sample.HeapBytes), SignedMb(l.Sample.HeapBytes - r.Warm.HeapBytes), Mb(l.Sample.WorkingSetBytes),
            Int(l.Sample.Threads), Int(l.Sample.PoolThreads), Int(l.Sample.Handles), l.Sample.FileDescriptors is { } fds ? Int(fds) : "–",
            Int(l.Sample.InFlight), Int(l.Sample.Calls), Int(l.Sample.BreakerOpenings),
        })];
    }
}
