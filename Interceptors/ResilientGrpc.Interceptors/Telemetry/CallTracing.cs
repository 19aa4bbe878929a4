using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The span of one logical call and its events; every method returns at once on a null span, so an untraced call costs nothing.</summary>
internal static class CallTracing
{
    private const string Abandoned = "The call was disposed before it ended.";
    private const string UnknownTarget = "unknown";

    public static bool IsListening => ResilienceActivitySource.Source.HasListeners();

    /// <summary>The current activity if it is our span, for events whose origin does not know the call (a breaker's transition).</summary>
    public static Activity? Current =>
        Activity.Current is { } current && ReferenceEquals(current.Source, ResilienceActivitySource.Source) ? current : null;

    public static bool Records(Activity? span) => span is { IsAllDataRequested: true, IsStopped: false };

    public static Activity? Create(IMethod method) =>
        ResilienceActivitySource.Source.CreateActivity(MethodNames.Of(method), ActivityKind.Client);

    public static void Start(Activity span, RecordedCallContext call)
    {
        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceNames.RpcSystem, TraceNames.RpcSystemGrpc);
            span.SetTag(TraceNames.RpcService, call.CallMethod.ServiceName);
            span.SetTag(TraceNames.RpcMethod, call.CallMethod.Name);
            span.SetTag(ResilienceTelemetry.Tags.Method, call.Method);
            if (call.Target != UnknownTarget)
            {
                span.SetTag(ResilienceTelemetry.Tags.Target, call.Target);
            }
        }

        span.Start();
    }

    public static void Handed(Activity span)
    {
        if (ReferenceEquals(Activity.Current, span))
        {
            Activity.Current = Usable(span.Parent);
        }
    }

    /// <summary>Ends <paramref name="span"/> (<paramref name="error"/> null: success or disposed); this thread's current activity stays.</summary>
    public static void End(Activity span, StatusCode status, Exception? error)
    {
        if (span.IsStopped)
        {
            return;
        }

        if (span.IsAllDataRequested)
        {
            span.SetTag(TraceNames.RpcStatusCode, (int)status);
            span.SetTag(ResilienceTelemetry.Tags.Status, StatusNames.Of(status));
            if (status != StatusCode.OK)
            {
                span.SetStatus(ActivityStatusCode.Error, error is RpcException rpc ? rpc.Status.Detail : error?.Message ?? Abandoned);
            }
        }

        // Stop makes the span's predecessor current; a call that ends on a thread where the span was not current
        // (a caller disposing the call, say) must leave that thread's current activity alone.
        var current = Activity.Current;
        span.Stop();
        if (!ReferenceEquals(current, span) && !ReferenceEquals(Activity.Current, current))
        {
            Activity.Current = Usable(current);
        }
    }

    public static void RetryScheduled(Activity? span, int attempt, StatusCode status, TimeSpan delay)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.RetryScheduled, tags: new ActivityTagsCollection
            {
                { TraceNames.AttemptTag, attempt },
                { ResilienceTelemetry.Tags.Status, StatusNames.Of(status) },
                { TraceNames.DelayTag, delay.TotalMilliseconds },
            }));
        }
    }

    /// <summary>The server's pushback: a wait, or <see cref="Timeout.InfiniteTimeSpan"/> (-1 ms) for "do not retry".</summary>
    public static void Pushback(Activity? span, int attempt, StatusCode status, TimeSpan pushback)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.Pushback, tags: new ActivityTagsCollection
            {
                { TraceNames.AttemptTag, attempt },
                { ResilienceTelemetry.Tags.Status, StatusNames.Of(status) },
                { TraceNames.PushbackTag, (long)pushback.TotalMilliseconds },
                { TraceNames.StopsTag, pushback < TimeSpan.Zero },
            }));
        }
    }

    public static void BreakerRejected(Activity? span, string breaker, string state)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.BreakerRejected, tags: new ActivityTagsCollection
            {
                { ResilienceTelemetry.Tags.Breaker, breaker },
                { TraceNames.StateTag, state },
            }));
        }
    }

    public static void BreakerTransition(Activity? span, string breaker, string from, string to, string reason)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.BreakerTransition, tags: new ActivityTagsCollection
            {
                { ResilienceTelemetry.Tags.Breaker, breaker },
                { ResilienceTelemetry.Tags.From, from },
                { ResilienceTelemetry.Tags.To, to },
                { TraceNames.ReasonTag, reason },
            }));
        }
    }

    public static void HedgeSent(Activity? span, int attempt)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.HedgeSent, tags: new ActivityTagsCollection { { TraceNames.AttemptTag, attempt } }));
        }
    }

    public static void HedgesCancelled(Activity? span, int winner, int count)
    {
        if (count > 0 && Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.HedgeCancelled, tags: new ActivityTagsCollection
            {
                { TraceNames.AttemptTag, winner },
                { TraceNames.CountTag, count },
            }));
        }
    }

    internal static Activity? Usable(Activity? activity) => activity is { IsStopped: false } ? activity : null;
}

/// <summary>The <see cref="ResilienceTelemetry.ActivitySourceName"/> source (see <see cref="CallTracing"/>): one static source, as .NET advises.</summary>
internal static class ResilienceActivitySource
{
    public static ActivitySource Source { get; } = new(ResilienceTelemetry.ActivitySourceName, ResilienceMeter.Version);
}

/// <summary>Span tag and event names: OpenTelemetry's RPC conventions, and ours (listed in docs/telemetry.md).</summary>
internal static class TraceNames
{
    public const string RpcSystem = "rpc.system";
    public const string RpcSystemGrpc = "grpc";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcStatusCode = "rpc.grpc.status_code";

    public const string RetryScheduled = "retry.scheduled";
    public const string Pushback = "pushback";
    public const string BreakerRejected = "circuit_breaker.rejected";
    public const string BreakerTransition = "circuit_breaker.transition";
    public const string HedgeSent = "hedge.sent";
    public const string HedgeCancelled = "hedge.cancelled";

    public const string AttemptTag = "attempt";
    public const string DelayTag = "delay_ms";
    public const string PushbackTag = "pushback_ms";
    public const string StopsTag = "stops";
    public const string StateTag = "state";
    public const string ReasonTag = "reason";
    public const string CountTag = "count";
}

/// <summary>Makes a call's span current until disposed, where our layers act for the call on another thread (a read, a timer).</summary>
internal readonly struct CurrentSpan : IDisposable
{
    private readonly Activity? previous;
    private readonly bool entered;

    private CurrentSpan(Activity? previous)
    {
        this.previous = previous;
        entered = true;
    }

    public static CurrentSpan Of(Activity? span)
    {
        if (span is null || span.IsStopped || ReferenceEquals(Activity.Current, span))
        {
            return default;
        }

        var previous = Activity.Current;
        Activity.Current = span;
        return new CurrentSpan(previous);
    }

    public void Dispose()
    {
        if (entered)
        {
            Activity.Current = CallTracing.Usable(previous);
        }
    }
}
