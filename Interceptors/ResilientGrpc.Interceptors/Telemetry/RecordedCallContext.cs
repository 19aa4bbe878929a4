using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The context of a recorded call: its tags, start, and whose the current attempt is, so each attempt and call counts
/// once whatever layers are stacked, in any order: the outermost that records creates it and records the call, the
/// innermost that sees an attempt leave records the attempt. A traced call's is a <see cref="TracedCallContext"/>.
/// </summary>
internal class RecordedCallContext : ResilienceCallContext
{
    private int attemptClaimed;
    private long attemptStart;

    private protected RecordedCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp)
        : base(flags, callMethod)
    {
        Method = method;
        Target = target;
        StartTimestamp = startTimestamp;
        attemptStart = startTimestamp;
    }

    /// <summary>The <c>grpc.method</c> tag value.</summary>
    public string Method { get; }

    /// <summary>The <c>grpc.target</c> tag value.</summary>
    public string Target { get; }

    /// <summary>When the caller started the call (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>When the current attempt started: the call's start for the first attempt.</summary>
    public long AttemptStart => Volatile.Read(ref attemptStart);

    /// <summary>Creates a recorded call's context, passed down in <paramref name="context"/>, holding its unstarted <paramref name="span"/>.</summary>
    public static RecordedCallContext Create<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, TimeProvider time, string? target, Activity? span)
        where TRequest : class
        where TResponse : class
    {
        var options = context.Options;
        var flags = options.WriteOptions?.Flags ?? default;
        var method = MethodNames.Of(context.Method);
        var callTarget = context.Host ?? target ?? "unknown";
        var created = span is null
            ? new RecordedCallContext(flags, context.Method, method, callTarget, time.GetTimestamp())
            : new TracedCallContext(flags, context.Method, method, callTarget, time.GetTimestamp(), span);
        context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options.WithWriteOptions(created));
        return created;
    }

    /// <summary>An owner's next attempt leaves at <paramref name="now"/>: it is nobody's yet.</summary>
    public void OpenAttempt(long now)
    {
        Volatile.Write(ref attemptStart, now);
        Volatile.Write(ref attemptClaimed, 0);
    }

    /// <summary>Claims the attempt just started; the first to call, the innermost layer, wins and records it.</summary>
    public bool TryClaimAttempt() => Interlocked.Exchange(ref attemptClaimed, 1) == 0;

    /// <summary>Called when a layer refuses a call itself: no attempt reaches the network.</summary>
    public void RefuseAttempt() => Volatile.Write(ref attemptClaimed, 1);
}

/// <summary>A traced call's context: the recorded one plus its span, a type of its own so an untraced call's is no larger.</summary>
internal sealed class TracedCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp, Activity span)
    : RecordedCallContext(flags, callMethod, method, target, startTimestamp)
{
    /// <inheritdoc />
    public override Activity Span { get; } = span;
}
