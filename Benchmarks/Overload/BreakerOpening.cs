namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>One opening of a contender's breaker.</summary>
/// <param name="At">When, from the start of the run.</param>
/// <param name="Reason">Why, in a few words: "5 calls", "15 attempts", "ratio", "probe".</param>
public readonly record struct BreakerOpening(TimeSpan At, string Reason);
