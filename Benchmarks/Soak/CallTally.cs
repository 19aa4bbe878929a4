using System.Collections.Concurrent;
using Grpc.Core;
using ResilientGrpc.Benchmarks.Chaos;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// What the soak's callers saw, counted as the calls end and never stored one by one (a list of calls would itself grow the
/// heap the soak watches): final outcomes, the exception types behind them, the longest latency and the calls over the bound.
/// </summary>
internal sealed class CallTally(SoakScenario scenario)
{
    /// <summary>The outcome of a call a circuit breaker refused without sending it.</summary>
    public const string BreakerRejection = "breaker rejection";

    /// <summary>The outcome of a call that failed with anything but an <see cref="RpcException"/>.</summary>
    public const string NotRpcException = "not an RpcException";

    /// <summary>The outcome of a stream that ended without error before it delivered every event.</summary>
    public const string ShortStream = "stream ended early";

    private readonly ConcurrentDictionary<(CallKind Kind, string Outcome), long> outcomes = new();
    private readonly ConcurrentDictionary<(string Type, string Status), long> exceptions = new();
    private readonly long[] maxTicks = new long[2];
    private readonly long[] overBound = new long[2];
    private long ended;

    /// <summary>Gets how many calls ended.</summary>
    public long Ended => Interlocked.Read(ref ended);

    /// <summary>Gets the final outcomes by call kind: a status name, <see cref="BreakerRejection"/>, <see cref="NotRpcException"/> or <see cref="ShortStream"/>.</summary>
    public IReadOnlyDictionary<(CallKind Kind, string Outcome), long> Outcomes => outcomes;

    /// <summary>Gets the exceptions callers caught, by type name and status (<c>–</c> for one that is no <see cref="RpcException"/>).</summary>
    public IReadOnlyDictionary<(string Type, string Status), long> Exceptions => exceptions;

    /// <summary>The longest call of <paramref name="kind"/>.</summary>
    public TimeSpan Max(CallKind kind) => TimeSpan.FromTicks(Interlocked.Read(ref maxTicks[(int)kind]));

    /// <summary>How many calls of <paramref name="kind"/> took longer than the policy allows.</summary>
    public long OverBound(CallKind kind) => Interlocked.Read(ref overBound[(int)kind]);

    /// <summary>Counts a call that ended without error: OK when <paramref name="complete"/>, else a stream that ended early.</summary>
    public void Succeeded(CallKind kind, TimeSpan latency, bool complete) =>
        End(kind, complete ? StatusNames.Of(StatusCode.OK) : ShortStream, latency);

    /// <summary>Counts a call that failed with <paramref name="error"/>.</summary>
    public void Failed(CallKind kind, Exception error, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(error);
        var (outcome, status) = error switch
        {
            RpcException rpc when ContenderClient.IsLocalRejection(rpc) => (BreakerRejection, StatusNames.Of(rpc.StatusCode)),
            RpcException rpc => (StatusNames.Of(rpc.StatusCode), StatusNames.Of(rpc.StatusCode)),
            _ => (NotRpcException, "–"),
        };
        var type = error is RpcException ? error.GetType().Name : error.GetType().FullName ?? error.GetType().Name;
        _ = exceptions.AddOrUpdate((type, status), 1, static (_, n) => n + 1);
        End(kind, outcome, latency);
    }

    private void End(CallKind kind, string outcome, TimeSpan latency)
    {
        _ = outcomes.AddOrUpdate((kind, outcome), 1, static (_, n) => n + 1);
        var bound = kind == CallKind.Unary ? scenario.UnaryBoundMs : scenario.StreamBoundMs;
        if (latency.TotalMilliseconds > bound)
        {
            _ = Interlocked.Increment(ref overBound[(int)kind]);
        }

        ref var max = ref maxTicks[(int)kind];
        for (var seen = Interlocked.Read(ref max); latency.Ticks > seen; seen = Interlocked.Read(ref max))
        {
            if (Interlocked.CompareExchange(ref max, latency.Ticks, seen) == seen)
            {
                break;
            }
        }

        _ = Interlocked.Increment(ref ended);
    }
}
