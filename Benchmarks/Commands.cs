using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using ResilientGrpc.Benchmarks.BreakerModel;
using ResilientGrpc.Benchmarks.Chaos;
using ResilientGrpc.Benchmarks.Fleet;
using ResilientGrpc.Benchmarks.Overload;
using ResilientGrpc.Benchmarks.Overhead;
using ResilientGrpc.Benchmarks.Soak;

namespace ResilientGrpc.Benchmarks;

/// <summary>
/// <c>overhead [BenchmarkDotNet arguments]</c> runs part A (all of it unless <c>--filter</c> says otherwise);
/// <c>chaos [--profile P] [--runs N] [--scale F] [--only NAMES]</c> runs part B (see <see cref="ChaosArguments"/>);
/// <c>fleet [--runs N]</c> runs part B's fleet profile (see <see cref="FleetCommand"/>);
/// <c>overload [--variant V] [--runs N] [--only NAMES] [--scale F]</c> runs part B's overload profile (see <see cref="OverloadCommand"/>);
/// <c>census [--calls N] [--only NAMES]</c> counts the objects of A.6's pending call (see <see cref="CallCensusCommand"/>);
/// <c>soak [--minutes N] [--rate N]</c> runs part C (see <see cref="SoakArguments"/>).
/// Anything else is passed to BenchmarkDotNet.
/// </summary>
internal static class Commands
{
    private static readonly Type[] OverheadBenchmarks =
    [
        typeof(InterceptionOverheadBenchmarks),
        typeof(RealCallBenchmarks),
        typeof(RejectionBenchmarks),
        typeof(ContentionBenchmarks),
        typeof(LayerBreakdownBenchmarks),
        typeof(HedgedCallBenchmarks),
        typeof(PendingCallBenchmarks),
        typeof(LimiterCostBenchmarks),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "breaker-model")
        {
            return BreakerModelCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "soak")
        {
            return await SoakCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "fleet")
        {
            return await FleetCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "overload")
        {
            return await OverloadCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "census")
        {
            return await CallCensusCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "chaos")
        {
            return await ChaosCommand.RunAsync(args[1..]).ConfigureAwait(false);
        }

        var rest = args.Length > 0 && args[0] == "overhead" ? args[1..] : args;
        if (!rest.Contains("--filter"))
        {
            rest = [.. rest, "--filter", "*"];
        }

        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithArtifactsPath(Path.Combine(ResultsFolder.Path, "BenchmarkDotNet.Artifacts"));
        if (!rest.Contains("--job") && !rest.Contains("-j"))
        {
            // Few iterations by default: the machine has two cores shared with other work.
            config = config.AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithLaunchCount(1).WithId("Brief"));
        }

        var summaries = BenchmarkSwitcher.FromTypes(OverheadBenchmarks).Run(rest, config);
        ResultsFolder.CopyReports(summaries);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
