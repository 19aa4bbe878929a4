using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Hedging;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// Part B: every contender against the same seeded chaos server on loopback Kestrel, one after the other, for each flaky
/// profile and each run (see <see cref="ChaosArguments"/>), the flaky profiles first, then the hedging ones
/// (<see cref="HedgingCommand"/>). Run r of every profile uses seed 42 + r − 1 for every contender. Prints each profile's
/// table and acceptance check and writes <c>results/chaos-PROFILE.md</c> and <c>.csv</c>.
/// </summary>
internal static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!ChaosArguments.TryParse(args, out var arguments, out var error))
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = arguments!.LogBreaker
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").AddFilter("ResilientGrpc.CircuitBreaker", LogLevel.Information).AddFilter("ResilientGrpc.Retry", LogLevel.None).AddFilter("ResilientGrpc.Deadline", LogLevel.None))
            : null;
        var scenario = ChaosScenario.Default.Scaled(arguments.Scale);
        var total = Stopwatch.StartNew();
        await using var server = await BenchmarkServer.StartAsync(Transport.Kestrel).ConfigureAwait(false);
        foreach (var profile in arguments.Contenders.Count == 0 ? [] : arguments.Profiles)
        {
            var clock = Stopwatch.StartNew();
            var runs = new List<ChaosRun>();
            for (var run = 1; run <= arguments.Runs; run++)
            {
                var runScenario = scenario.ForRun(run, profile);
                Console.WriteLine($"Chaos run {run} of {arguments.Runs}, seed {runScenario.Seed}: {ChaosReport.Describe(runScenario)}");
                runs.Add(new ChaosRun(run, runScenario, await RunContendersAsync(runScenario, arguments.Contenders, server, loggerFactory).ConfigureAwait(false)));
            }

            await ReportAsync(runs, arguments.Scale, clock.Elapsed).ConfigureAwait(false);
        }

        await HedgingCommand.RunAsync(server, arguments.HedgingProfiles, arguments.Runs, arguments.HedgingContenders).ConfigureAwait(false);
        Console.WriteLine($"Chaos command took {total.Elapsed.TotalMinutes:0.0} min.");
        return 0;
    }

    private static async Task<List<ContenderResult>> RunContendersAsync(
        ChaosScenario scenario, IReadOnlyList<Contender> contenders, BenchmarkServer server, ILoggerFactory? loggerFactory)
    {
        var results = new List<ContenderResult>();
        foreach (var contender in contenders)
        {
            Console.WriteLine($"== {contender}");
            using var client = new ContenderClient(contender, server, scenario.Policy, loggerFactory);
            var result = await new LoadRun(scenario, server, client).RunAsync().ConfigureAwait(false);
            results.Add(result);
            Console.WriteLine(result);

            // Let the server finish whatever the contender abandoned before the next one starts.
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        return results;
    }

    private static async Task ReportAsync(IReadOnlyList<ChaosRun> runs, double scale, TimeSpan elapsed)
    {
        var profile = runs[0].Scenario.Profile.Name;
        Console.WriteLine();
        Console.WriteLine($"Profile {profile}, {runs.Count} run(s), {elapsed.TotalMinutes:0.0} min:");
        Console.WriteLine(ChaosReport.Table(runs));
        if (ChaosReport.HandlerTable(runs) is { } handler)
        {
            Console.WriteLine("StandardResilienceHandler as its own telemetry saw it:");
            Console.WriteLine(handler);
        }

        Console.WriteLine(AcceptanceCheck.Table(runs));
        var csv = Path.Combine(ResultsFolder.Path, $"chaos-{profile}.csv");
        await File.WriteAllTextAsync(csv, ChaosReport.Csv(runs)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.ChangeExtension(csv, ".md"), ChaosReport.Markdown(runs, scale, elapsed)).ConfigureAwait(false);
        Console.WriteLine($"Written: {csv} and chaos-{profile}.md");
    }
}
