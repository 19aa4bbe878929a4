namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>One pass of every selected contender through the same scenario.</summary>
/// <param name="Number">The run's number, from 1.</param>
/// <param name="Scenario">The scenario every contender of this run went through (its variant and seed).</param>
/// <param name="Results">One result per contender, in the order they ran.</param>
public sealed record OverloadRun(int Number, OverloadScenario Scenario, IReadOnlyList<OverloadResult> Results);
