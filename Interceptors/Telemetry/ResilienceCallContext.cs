using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// What the resilience interceptors stacked on one channel share about one call, so that each attempt and each
/// call is counted exactly once whatever subset of the interceptors is stacked, and in whatever order:
/// the outermost interceptor creates it and records the call; the innermost one that sees an attempt leave for
/// the network records the attempt.
/// </summary>
/// <remarks>
/// It travels down the interceptor chain as the call's <see cref="CallOptions.WriteOptions"/>: the one per-call
/// slot that interceptors can pass on and that never reaches the wire. It keeps the caller's write flags, which
/// is all the channel reads from it.
/// </remarks>
internal sealed class ResilienceCallContext : WriteOptions
{
    private int attemptClaimed;
    private int retries;
    private long retryDelayTicks;

    private ResilienceCallContext(WriteFlags flags, string method, string target, long startTimestamp)
        : base(flags)
    {
        Method = method;
        Target = target;
        StartTimestamp = startTimestamp;
    }

    /// <summary>The <c>grpc.method</c> tag value.</summary>
    public string Method { get; }

    /// <summary>The <c>grpc.target</c> tag value.</summary>
    public string Target { get; }

    /// <summary>When the caller started the call (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>Retries made so far.</summary>
    public int Retries => Volatile.Read(ref retries);

    /// <summary>Backoff waited so far.</summary>
    public TimeSpan RetryDelay => TimeSpan.FromTicks(Interlocked.Read(ref retryDelayTicks));

    /// <summary>The context a call carries, if an interceptor above created one.</summary>
    public static ResilienceCallContext? Of(in CallOptions options) => options.WriteOptions as ResilienceCallContext;

    /// <summary>
    /// Returns the call's context, creating it (and passing it down through <paramref name="context"/>) when no
    /// interceptor above did and something listens; <paramref name="ownsCall"/> tells whether this caller created it.
    /// </summary>
    public static ResilienceCallContext? Enter<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context,
        ResilienceMetrics metrics,
        TimeProvider time,
        string? target,
        out bool ownsCall)
        where TRequest : class
        where TResponse : class
    {
        ownsCall = false;
        var options = context.Options;
        if (options.WriteOptions is ResilienceCallContext existing)
        {
            return existing;
        }

        if (!metrics.Enabled)
        {
            return null;
        }

        var created = new ResilienceCallContext(
            options.WriteOptions?.Flags ?? default,
            MethodNames.Of(context.Method),
            context.Host ?? target ?? "unknown",
            time.GetTimestamp());
        context = new ClientInterceptorContext<TRequest, TResponse>(
            context.Method, context.Host, options.WithWriteOptions(created));
        ownsCall = true;
        return created;
    }

    /// <summary>Called before each attempt leaves an interceptor that makes several: the attempt is nobody's yet.</summary>
    public void OpenAttempt() => Volatile.Write(ref attemptClaimed, 0);

    /// <summary>
    /// Called by each interceptor once its continuation has started an attempt. The first caller, which is the
    /// innermost interceptor, wins and records the attempt.
    /// </summary>
    public bool TryClaimAttempt() => Interlocked.Exchange(ref attemptClaimed, 1) == 0;

    /// <summary>Called when an interceptor refuses a call itself: no attempt reaches the network.</summary>
    public void RefuseAttempt() => Volatile.Write(ref attemptClaimed, 1);

    /// <summary>Counts a retry about to be made after waiting <paramref name="delay"/>.</summary>
    public void AddRetry(TimeSpan delay)
    {
        Interlocked.Increment(ref retries);
        Interlocked.Add(ref retryDelayTicks, delay.Ticks);
    }
}
