using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// The hedging rules of one interceptor, shared by all its calls: the policy, the retry budget (gRFC A6) if any, the
/// clock hedges are timed on, and the telemetry they report to. Per-call state lives in the call.
/// </summary>
internal sealed class HedgingEngine(HedgingPolicy policy, RetryThrottle? throttle, TimeProvider time, HedgingTelemetry telemetry)
{
    /// <summary>The deadline of a call that has none.</summary>
    public static readonly DateTime NoDeadline = DateTime.MaxValue;

    public HedgingPolicy Policy => policy;

    public TimeProvider Time => time;

    public HedgingTelemetry Telemetry => telemetry;

    /// <summary>Whether the retry budget lets a hedge go now; always, without a budget.</summary>
    public bool AllowsHedge => throttle?.AllowsRetry ?? true;

    /// <summary>A hedged call was answered successfully: the budget gets its token ratio back.</summary>
    public void Succeeded() => throttle?.RecordSuccess();

    /// <summary>An attempt of a hedged call failed with a non-fatal status: the budget loses a token.</summary>
    public void FailedNonFatally() => throttle?.RecordFailure();

    /// <summary>The caller's deadline in UTC, or <see cref="NoDeadline"/>.</summary>
    public static DateTime DeadlineOf(in CallOptions options) =>
        options.Deadline is { } d && d != DateTime.MaxValue ? d.ToUniversalTime() : NoDeadline;

    /// <summary>The context of attempt <paramref name="attempt"/>: the caller's for the first, plus the attempt count header after.</summary>
    public static ClientInterceptorContext<TRequest, TResponse> ContextOf<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, int attempt)
        where TRequest : class
        where TResponse : class
    {
        if (attempt == 1)
        {
            return context;
        }

        var headers = RetryHeaders.ForAttempt(context.Options.Headers, attempt - 1);
        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithHeaders(headers));
    }

    /// <summary>Whether <paramref name="deadline"/> has passed, or passes within <paramref name="wait"/> from now.</summary>
    public bool PassesWithin(DateTime deadline, TimeSpan wait) =>
        deadline != NoDeadline && time.GetUtcNow().UtcDateTime + wait >= deadline;

    /// <summary>The status the caller sees for a call that failed with <paramref name="error"/>.</summary>
    public static Status StatusOf(Exception error) =>
        error is RpcException rpc ? rpc.Status : new Status(StatusCode.Unknown, error.Message);

    /// <summary>The trailers the caller sees for a call that failed with <paramref name="error"/>.</summary>
    public static Metadata TrailersOf(Exception error) => error is RpcException rpc ? rpc.Trailers : [];
}
