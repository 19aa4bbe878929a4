using System.Collections.Frozen;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>A breaker's copy of validated <see cref="CircuitBreakerOptions"/>, which later changes cannot reach; each property is the option's.</summary>
internal sealed class CircuitBreakerSettings(CircuitBreakerOptions options)
{
    public string Name { get; } = options.Name;

    public int FailureThreshold { get; } = options.FailureThreshold;

    public int? AttemptFailureThreshold { get; } = options.AttemptFailureThreshold;

    public TimeSpan MinimumSilence { get; } = options.MinimumSilence;

    public TimeSpan BreakDuration { get; } = options.BreakDuration;

    public FrozenSet<StatusCode> FailureStatusCodes { get; } = options.FailureStatusCodes.ToFrozenSet();

    public int HalfOpenProbes { get; } = options.HalfOpenProbes;

    public double? FailureRatio { get; } = options.FailureRatio;

    public TimeSpan SamplingDuration { get; } = options.SamplingDuration;

    public int MinimumThroughput { get; } = options.MinimumThroughput;

    public Func<IMethod, string>? KeySelector { get; } = options.KeySelector;
}

internal static class Timestamps
{
    public static long FromTimeSpan(TimeSpan span, TimeProvider time)
    {
        var frequency = time.TimestampFrequency;
        return frequency == TimeSpan.TicksPerSecond
            ? span.Ticks
            : (long)(((Int128)span.Ticks * frequency + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond);
    }
}
