using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The span of one logical call, on <see cref="ResilienceActivitySource"/>: created by the interceptor that owns the
/// call (the outermost of ours, see <see cref="CallScope"/>), current while our layers start its attempts, so that
/// grpc-dotnet's own activity of each attempt is its child, and ended once when the call settles. The events of the
/// call (retries, pushback, breaker, hedges) are added to it.
/// </summary>
/// <remarks>
/// Every method returns at once on a null span, and nothing is created unless a listener samples the call: a call
/// nobody traces allocates nothing here, boxes nothing and builds no tag list.
/// </remarks>
internal static class CallTracing
{
    private const string Abandoned = "The call was disposed before it ended.";
    private const string UnknownTarget = "unknown";

    /// <summary>Whether any listener listens to the source; when false, no span is ever created.</summary>
    public static bool IsListening => ResilienceActivitySource.Source.HasListeners();

    /// <summary>
    /// The span of the current call, when our layers are running on its behalf (for events whose origin does not know
    /// the call, such as a breaker's transition): the current activity, if it is one of our spans.
    /// </summary>
    public static Activity? Current =>
        Activity.Current is { } current && ReferenceEquals(current.Source, ResilienceActivitySource.Source) ? current : null;

    /// <summary>Whether <paramref name="span"/> is a span that records events and tags, still running.</summary>
    public static bool Records(Activity? span) => span is { IsAllDataRequested: true, IsStopped: false };

    /// <summary>
    /// The span of a call to <paramref name="method"/>, not started yet, if a listener samples it; its parent is the
    /// caller's current activity.
    /// </summary>
    public static Activity? Create(IMethod method) =>
        ResilienceActivitySource.Source.CreateActivity(MethodNames.Of(method), ActivityKind.Client);

    /// <summary>Tags and starts <paramref name="span"/>, the span of <paramref name="call"/>: it becomes the current activity.</summary>
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

    /// <summary>
    /// The interceptor that owns the call hands it back to the caller: the caller's current activity (the span's
    /// parent) is current again on this thread, unless something else was made current meanwhile.
    /// </summary>
    public static void Handed(Activity span)
    {
        if (ReferenceEquals(Activity.Current, span))
        {
            Activity.Current = Usable(span.Parent);
        }
    }

    /// <summary>
    /// Ends <paramref name="span"/> with <paramref name="status"/>: <paramref name="error"/> is the call's error (null
    /// for success, or for a call disposed before it ended). Whatever activity is current on this thread stays current.
    /// </summary>
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

    /// <summary>Attempt <paramref name="attempt"/> failed with <paramref name="status"/>; the next follows after <paramref name="delay"/>.</summary>
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

    /// <summary>
    /// Attempt <paramref name="attempt"/> failed with <paramref name="status"/> and the server's pushback asked for
    /// <paramref name="pushback"/> (negative: stop retrying).
    /// </summary>
    public static void Pushback(Activity? span, int attempt, StatusCode status, TimeSpan pushback)
    {
        if (Records(span))
        {
            var stops = pushback < TimeSpan.Zero;
            span!.AddEvent(new ActivityEvent(TraceNames.Pushback, tags: new ActivityTagsCollection
            {
                { TraceNames.AttemptTag, attempt },
                { ResilienceTelemetry.Tags.Status, StatusNames.Of(status) },
                { TraceNames.PushbackTag, stops ? -1L : (long)pushback.TotalMilliseconds },
                { TraceNames.StopsTag, stops },
            }));
        }
    }

    /// <summary>The breaker <paramref name="breaker"/>, in <paramref name="state"/>, refused the call.</summary>
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

    /// <summary>The breaker <paramref name="breaker"/> went from <paramref name="from"/> to <paramref name="to"/>, for <paramref name="reason"/>, on the call's behalf.</summary>
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

    /// <summary>Hedge <paramref name="attempt"/> (2 or more) was sent.</summary>
    public static void HedgeSent(Activity? span, int attempt)
    {
        if (Records(span))
        {
            span!.AddEvent(new ActivityEvent(TraceNames.HedgeSent, tags: new ActivityTagsCollection { { TraceNames.AttemptTag, attempt } }));
        }
    }

    /// <summary>Attempt <paramref name="winner"/> answered and <paramref name="count"/> attempts still in flight were cancelled.</summary>
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

    /// <summary><paramref name="activity"/>, if it may be made current (the setter refuses a stopped one); else none.</summary>
    internal static Activity? Usable(Activity? activity) => activity is { IsStopped: false } ? activity : null;
}
