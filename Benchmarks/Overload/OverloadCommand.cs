using System.Diagnostics;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// Part B's overload profile, <c>overload [--variant V] [--runs N] [--only NAMES] [--scale F]</c>
/// (see <see cref="OverloadArguments"/>): every contender in turn against one chaos server of fixed capacity on loopback
/// Kestrel, each on a fresh channel, through a phased open-loop load (<see cref="OverloadScenario"/>), for each variant
/// and run. Run r uses seed 42 + r − 1. Prints each variant's table and writes <c>results/overload-VARIANT.md</c> and <c>.csv</c>.
/// </summary>
internal static class OverloadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (!OverloadArguments.TryParse(args, out var arguments, out var error))
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 2;
        }

        var total = Stopwatch.StartNew();
        await using var server = await BenchmarkServer.StartAsync(Transport.Kestrel).ConfigureAwait(false);
        foreach (var variant in arguments!.Variants)
        {
            var clock = Stopwatch.StartNew();
            var runs = new List<OverloadRun>();
            for (var run = 1; run <= arguments.Runs; run++)
            {
                var scenario = OverloadScenario.For(variant).Scaled(arguments.Scale).ForRun(run);
                Console.WriteLine($"Overload run {run} of {arguments.Runs}, seed {scenario.Seed}: {scenario.Describe()}");
                runs.Add(new OverloadRun(run, scenario, await RunContendersAsync(scenario, arguments.Contenders, server).ConfigureAwait(false)));
            }

            await ReportAsync(runs, arguments.Scale, clock.Elapsed).ConfigureAwait(false);
        }

        Console.WriteLine($"Overload command took {total.Elapsed.TotalMinutes:0.0} min.");
        return 0;
    }

    private static async Task<List<OverloadResult>> RunContendersAsync(OverloadScenario scenario, IReadOnlyList<OverloadContender> contenders, BenchmarkServer server)
    {
        var schedule = scenario.Schedule();
        var results = new List<OverloadResult>();
        foreach (var contender in contenders)
        {
            Console.WriteLine($"== {contender.Name}");
            using var client = new OverloadClient(contender, server, scenario, schedule.Count);
            var result = await new OverloadLoadRun(scenario, server, client, schedule).RunAsync().ConfigureAwait(false);
            results.Add(result);
            Console.WriteLine(OverloadReport.Line(result));

            // Let the previous contender's last calls and connections wind down before the next one starts.
            await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }

        return results;
    }

    private static async Task ReportAsync(IReadOnlyList<OverloadRun> runs, double scale, TimeSpan elapsed)
    {
        var variant = runs[0].Scenario.Variant.Name;
        Console.WriteLine();
        Console.WriteLine($"Variant {variant}, {runs.Count} run(s), {elapsed.TotalMinutes:0.0} min:");
        Console.WriteLine(OverloadReport.Table(runs));
        var csv = Path.Combine(ResultsFolder.Path, $"overload-{variant}.csv");
        await File.WriteAllTextAsync(csv, OverloadReport.Csv(runs)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.ChangeExtension(csv, ".md"), OverloadReport.Markdown(runs, scale, elapsed)).ConfigureAwait(false);
        Console.WriteLine($"Written: {csv} and overload-{variant}.md");
    }
}
