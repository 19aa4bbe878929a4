namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>One pass of every selected contender through the same scenario.</summary>
/// <param name="Number">The run's number, from 1.</param>
/// <param name="Scenario">The scenario every contender of this run went through (its seed and flaky profile).</param>
/// <param name="Results">One result per contender, in the order they ran.</param>
public sealed record ChaosRun(int Number, ChaosScenario Scenario, IReadOnlyList<ContenderResult> Results)
{
    /// <summary>The result of <paramref name="contender"/> in this run, or null when it did not run.</summary>
    public ContenderResult? Of(Contender contender) => Results.FirstOrDefault(r => r.Contender == contender);
}
