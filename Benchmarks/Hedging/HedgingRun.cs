namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>One pass of every selected contender through a hedging profile.</summary>
/// <param name="Number">The run's number, from 1.</param>
/// <param name="Scenario">The scenario every contender of this run went through (its profile and seed).</param>
/// <param name="Results">One result per contender, in the order they ran.</param>
public sealed record HedgingRun(int Number, HedgingScenario Scenario, IReadOnlyList<HedgingResult> Results)
{
    /// <summary>The result of <paramref name="contender"/> in this run, or null when it did not run.</summary>
    public HedgingResult? Of(HedgingContender contender) => Results.FirstOrDefault(r => r.Contender == contender);
}
