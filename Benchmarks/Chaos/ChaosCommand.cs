using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Infrastructure;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// Part B: every contender against the same seeded chaos server on loopback Kestrel, one after the other.
/// Arguments: <c>--scale F</c> multiplies the phase lengths (default 1: 15 s + 8 s + 10 s per contender);
/// <c>--only NAME[,NAME]</c> runs only the named contenders; <c>--log-breaker</c> prints our breaker's transitions.
/// </summary>
internal static class ChaosCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scale = Option(args, "--scale") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 1.0;
        var only = Option(args, "--only")?.Split(',').Select(n => Enum.Parse<Contender>(n, ignoreCase: true)).ToHashSet();
        var scenario = ChaosScenario.Default.Scaled(scale);
        using var loggerFactory = args.Contains("--log-breaker")
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").AddFilter("ResilientGrpc.CircuitBreaker", LogLevel.Information).AddFilter("ResilientGrpc.Retry", LogLevel.None).AddFilter("ResilientGrpc.Deadline", LogLevel.None))
            : null;
        var policy = scenario.Policy;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Chaos run: {scenario.CallsPerSecond} calls/s (at most {scenario.MaxInFlight} in flight), phases flaky {scenario.Flaky.TotalSeconds} s "
            + $"(20 % Unavailable, 10 % hang {ChaosScenario.HangDuration.TotalMilliseconds} ms), outage {scenario.Outage.TotalSeconds} s, "
            + $"recovery {scenario.Recovery.TotalSeconds} s; seed {scenario.Seed}. Policy: {policy.AttemptTimeout.TotalMilliseconds} ms attempt deadline, "
            + $"{policy.MaxAttempts} attempts, {policy.InitialBackoff.TotalMilliseconds} ms → {policy.InitialBackoff.TotalMilliseconds * policy.BackoffMultiplier} ms backoff, "
            + $"breaker {policy.FailureThreshold} / {policy.BreakDuration.TotalSeconds} s."));

        await using var server = await BenchmarkServer.StartAsync(Transport.Kestrel).ConfigureAwait(false);
        var results = new List<ContenderResult>();
        foreach (var contender in Enum.GetValues<Contender>().Where(c => only is null || only.Contains(c)))
        {
            Console.WriteLine($"== {contender}");
            using var client = new ContenderClient(contender, server, policy, loggerFactory);
            var result = await new LoadRun(scenario, server, client).RunAsync().ConfigureAwait(false);
            results.Add(result);
            Console.WriteLine(result);

            // Let the server finish whatever the contender abandoned before the next one starts.
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        var table = ChaosReport.Table(results, scenario);
        Console.WriteLine();
        Console.WriteLine(table);
        var folder = ResultsFolder.Path;
        await File.WriteAllTextAsync(Path.Combine(folder, "chaos.csv"), ChaosReport.Csv(results, scenario)).ConfigureAwait(false);
        var markdown = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Chaos run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, .NET {Environment.Version}, {Environment.ProcessorCount} cores, scale {scale}.")
            .AppendLine()
            .Append(ChaosReport.Markdown(results, scenario));
        await File.WriteAllTextAsync(Path.Combine(folder, "chaos.md"), markdown.ToString()).ConfigureAwait(false);
        Console.WriteLine($"Written: {Path.Combine(folder, "chaos.csv")} and chaos.md");
        return 0;
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
