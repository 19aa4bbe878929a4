using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Benchmarks.Infrastructure;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Fleet;

/// <summary>
/// Part B's fleet profile, <c>fleet [--runs N]</c>: three chaos replicas on loopback Kestrel, the second failing every
/// call with <c>UNAVAILABLE</c>, and every contender balancing round robin over them at 50 calls/s for 30 s, one after the
/// other, each with a fresh channel. Prints and writes <c>results/chaos-fleet.md</c> and <c>.csv</c>, with the
/// acceptance check of <see cref="FleetContender.OursEjection"/>: success ≥ 99.5 %, ≤ 1.05 attempts per call, and under
/// 1 % of the attempts after the first 10 s to the failing replica.
/// </summary>
internal static class FleetCommand
{
    private const int CallsPerSecond = 50;
    private const int MaxInFlight = 64;
    private const int Bad = 1;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(10);

    private static readonly string[] Headers =
    [
        "run", "contender", "calls", "success", "attempts/call", "bad replica attempts", "bad replica attempts after 10 s", "bad replica share after 10 s", "p99 ms",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = 1;
        var index = Array.IndexOf(args, "--runs");
        if (index >= 0 && (index + 1 >= args.Length || !int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out runs) || runs < 1))
        {
            await Console.Error.WriteLineAsync("fleet: --runs must be a whole number of at least 1.").ConfigureAwait(false);
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var replicas = new List<BenchmarkServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                replicas.Add(await BenchmarkServer.StartAsync(Transport.Kestrel).ConfigureAwait(false));
            }

            var results = new List<(int Run, FleetResult Result)>();
            for (var run = 1; run <= runs; run++)
            {
                foreach (var contender in Enum.GetValues<FleetContender>())
                {
                    Console.WriteLine($"Fleet run {run} of {runs}: {contender}");
                    var result = await RunContenderAsync(contender, replicas).ConfigureAwait(false);
                    Console.WriteLine(string.Join("  ", result.Cells()));
                    results.Add((run, result));
                    await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
                }
            }

            await ReportAsync(results, runs, clock.Elapsed).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<FleetResult> RunContenderAsync(FleetContender contender, IReadOnlyList<BenchmarkServer> replicas)
    {
        using var client = new FleetClient(contender, replicas, PolicySettings.Chaos);
        await ProcessCalls.WarmUpAsync(client.Process, replicas).ConfigureAwait(false);

        foreach (var replica in replicas)
        {
            replica.Statistics.Reset();
        }

        replicas[Bad].Controller.Apply(new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0 });
        var records = new ConcurrentQueue<CallRecord>();
        (long All, long Bad)? atWarmup = null;
        var clock = Stopwatch.StartNew();
        await new OpenLoop(CallsPerSecond, MaxInFlight).RunAsync(
            clock,
            Duration,
            TimeSpan.FromSeconds(30),
            due =>
            {
                if (atWarmup is null && due >= Warmup)
                {
                    atWarmup = (replicas.Sum(r => r.Statistics.TotalCalls), replicas[Bad].Statistics.TotalCalls);
                }
            },
            async ordinal => records.Enqueue(await ProcessCalls.TimeAsync(clock, ordinal, client.Process, e => e is BrokenCircuitException).ConfigureAwait(false))).ConfigureAwait(false);

        var all = replicas.Sum(r => r.Statistics.TotalCalls);
        var bad = replicas[Bad].Statistics.TotalCalls;
        var (allAtWarmup, badAtWarmup) = atWarmup ?? (0, 0);
        var calls = records.ToArray();
        var latencies = calls.Select(r => r.Latency).Order().ToArray();
        return new FleetResult(
            contender,
            calls.Length,
            RunStatistics.SuccessRate(calls),
            calls.Length == 0 ? 0 : (double)all / calls.Length,
            all == allAtWarmup ? 0 : (double)(bad - badAtWarmup) / (all - allAtWarmup),
            bad,
            bad - badAtWarmup,
            RunStatistics.Percentile(latencies, 0.99));
    }

    private static async Task ReportAsync(List<(int Run, FleetResult Result)> results, int runs, TimeSpan elapsed)
    {
        var rows = results.Select(r => (Label: r.Run.ToString(CultureInfo.InvariantCulture), r.Result)).ToList();
        if (runs > 1)
        {
            rows.AddRange(results.GroupBy(r => r.Result.Contender).Select(g => ("median", FleetResult.Median([.. g.Select(r => r.Result)]))));
        }

        var cells = rows.Select(r => (string[])[r.Label, .. r.Result.Cells()]).ToList();
        var acceptance = Acceptance(results);
        Console.WriteLine();
        Console.WriteLine(TextTable.Aligned(Headers, cells));
        Console.WriteLine(acceptance);
        var markdown = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Fleet run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {runs} run(s), {elapsed.TotalMinutes:0.0} min.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Three replicas on loopback Kestrel, the second failing every call with UNAVAILABLE; {CallsPerSecond} calls/s (at most {MaxInFlight} in flight) for {Duration.TotalSeconds} s, round robin over all three for every contender. Policy ×0.1: 200 ms attempt deadline, 3 attempts, 100 ms → 200 ms backoff, breaker 5 / 3 s; ejection with the library's defaults (5 failures in a row, 30 s).")
            .AppendLine()
            .Append(TextTable.Markdown(Headers, cells, textColumns: 2))
            .AppendLine()
            .AppendLine(acceptance);
        var csv = Path.Combine(ResultsFolder.Path, "chaos-fleet.csv");
        await File.WriteAllTextAsync(csv, TextTable.Csv(Headers, cells)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.ChangeExtension(csv, ".md"), markdown.ToString()).ConfigureAwait(false);
        Console.WriteLine($"Written: {csv} and chaos-fleet.md");
    }

    private static string Acceptance(List<(int Run, FleetResult Result)> results)
    {
        var text = new StringBuilder().AppendLine("Acceptance of OursEjection (success ≥ 99.5 %, attempts/call ≤ 1.05, bad replica share after 10 s < 1 %):");
        foreach (var (run, ours) in results.Where(r => r.Result.Contender == FleetContender.OursEjection))
        {
            var pass = ours.SuccessRate >= 0.995 && ours.AttemptsPerCall <= 1.05 && ours.BadShareAfterWarmup < 0.01;
            _ = text.AppendLine(CultureInfo.InvariantCulture, $"- run {run}: {ours.SuccessRate:0.0%}, {ours.AttemptsPerCall:0.000} attempts/call, {ours.BadShareAfterWarmup:0.00%} to the bad replica after 10 s: {(pass ? "PASS" : "FAIL")}");
        }

        return text.ToString();
    }
}
