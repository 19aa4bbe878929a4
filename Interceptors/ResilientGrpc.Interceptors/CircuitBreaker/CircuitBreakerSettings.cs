using System.Collections.Frozen;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// The settings of a <see cref="CircuitBreakerInterceptor"/>, copied from validated <see cref="CircuitBreakerOptions"/>
/// when it is constructed, so later changes to the options cannot reach a running breaker. Each property is the
/// option of the same name.
/// </summary>
internal sealed class CircuitBreakerSettings(CircuitBreakerOptions options)
{
    public string Name { get; } = options.Name;

    public int FailureThreshold { get; } = options.FailureThreshold;

    public int? AttemptFailureThreshold { get; } = options.AttemptFailureThreshold;

    public TimeSpan BreakDuration { get; } = options.BreakDuration;

    public FrozenSet<StatusCode> FailureStatusCodes { get; } = options.FailureStatusCodes.ToFrozenSet();

    public int HalfOpenProbes { get; } = options.HalfOpenProbes;

    public double? FailureRatio { get; } = options.FailureRatio;

    public TimeSpan SamplingDuration { get; } = options.SamplingDuration;

    public int MinimumThroughput { get; } = options.MinimumThroughput;

    public Func<IMethod, string>? KeySelector { get; } = options.KeySelector;
}
