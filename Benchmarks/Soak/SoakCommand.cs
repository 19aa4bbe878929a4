using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// Part C: our default stack in its production configuration (<see cref="SoakClient"/>) under the chaos cycle of
/// <see cref="SoakScenario"/> for a long time, on loopback Kestrel in this process. Prints the report, writes it to
/// <c>results/soak.md</c>, and exits with 0 on PASS, 1 on FAIL and 2 on a bad argument.
/// </summary>
internal static class SoakCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (SoakArguments.TryParse(args, out var arguments, out var error))
        {
            return await RunAsync(new SoakScenario(arguments!.Minutes, arguments.Rate)).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
        return 2;
    }

    private static async Task<int> RunAsync(SoakScenario scenario)
    {
        Console.WriteLine("Soak: " + scenario.Describe());
        SoakResult result;
        await using (var server = await BenchmarkServer.StartAsync(Transport.Kestrel).ConfigureAwait(false))
        {
            using var client = new SoakClient(server, scenario);
            result = await new SoakRun(scenario, server, client).RunAsync().ConfigureAwait(false);
        }

        var checks = SoakVerdict.Checks(result);
        var report = SoakReport.Markdown(result, checks);
        Console.WriteLine();
        Console.WriteLine(report);
        var path = Path.Combine(ResultsFolder.Path, "soak.md");
        await File.WriteAllTextAsync(path, report).ConfigureAwait(false);
        Console.WriteLine($"Written: {path}");
        return checks.All(c => c.Pass) ? 0 : 1;
    }
}
