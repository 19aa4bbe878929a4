using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The context of a recorded call: its tags, its start, and whether a layer has claimed the current attempt.</summary>
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

    public string Method { get; }

    public string Target { get; }

    public long StartTimestamp { get; }

    public long AttemptStart => Volatile.Read(ref attemptStart);

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
    public override Activity Span { get; } = span;
}
