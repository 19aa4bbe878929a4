using System.Diagnostics;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// The hedging profiles of part B: each selected contender in turn against the same chaos server, for each profile and
/// run. Run r uses seed 42 + r − 1 for every contender. Prints each profile's table and acceptance check and writes
/// <c>results/chaos-PROFILE.md</c> and <c>.csv</c>.
/// </summary>
internal static class HedgingCommand
{
    public static async Task RunAsync(
        BenchmarkServer server, IReadOnlyList<HedgingProfile> profiles, int runs, IReadOnlyList<HedgingContender> contenders)
    {
        foreach (var profile in profiles)
        {
            var selected = profile.Contenders.Where(contenders.Contains).ToArray();
            if (selected.Length == 0)
            {
                continue;
            }

            var clock = Stopwatch.StartNew();
            var done = new List<HedgingRun>();
            for (var run = 1; run <= runs; run++)
            {
                var scenario = new HedgingScenario(profile, 42 + run - 1);
                Console.WriteLine($"Hedging run {run} of {runs}, seed {scenario.Seed}: {HedgingReport.Describe(scenario)}");
                done.Add(new HedgingRun(run, scenario, await RunContendersAsync(scenario, selected, server).ConfigureAwait(false)));
            }

            await ReportAsync(done, clock.Elapsed).ConfigureAwait(false);
        }
    }

    private static async Task<List<HedgingResult>> RunContendersAsync(HedgingScenario scenario, IReadOnlyList<HedgingContender> contenders, BenchmarkServer server)
    {
        var results = new List<HedgingResult>();
        foreach (var contender in contenders)
        {
            Console.WriteLine($"== {contender}");
            using var client = new HedgingClient(contender, server, scenario);
            var result = await new HedgingLoadRun(scenario, server, client).RunAsync().ConfigureAwait(false);
            results.Add(result);
            Console.WriteLine(result);

            // Let the server finish whatever the contender abandoned before the next one starts.
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        return results;
    }

    private static async Task ReportAsync(IReadOnlyList<HedgingRun> runs, TimeSpan elapsed)
    {
        var profile = runs[0].Scenario.Profile.Name;
        Console.WriteLine();
        Console.WriteLine($"Profile {profile}, {runs.Count} run(s), {elapsed.TotalMinutes:0.0} min:");
        Console.WriteLine(HedgingReport.Table(runs));
        Console.WriteLine(HedgingAcceptance.Table(runs));
        var csv = Path.Combine(ResultsFolder.Path, $"chaos-{profile}.csv");
        await File.WriteAllTextAsync(csv, HedgingReport.Csv(runs)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.ChangeExtension(csv, ".md"), HedgingReport.Markdown(runs, elapsed)).ConfigureAwait(false);
        Console.WriteLine($"Written: {csv} and chaos-{profile}.md");
    }
}
