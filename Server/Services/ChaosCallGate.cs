using Grpc.Core;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Server.Services;

/// <summary>
/// Runs one call through chaos: decides its fate, records and logs it once, fails or hangs it as
/// decided, passes it through the server's handlers when a capacity is in force (shed, queued, then served
/// for its service time), then runs the real work. A call whose caller cancels or whose deadline passes is counted
/// as abandoned and ends quietly with <c>CANCELLED</c> (nobody is listening for the answer); a handler it was given
/// stays busy for the whole service time all the same, and the server counts the call served after its caller left.
/// Every injected failure (error, outage or a call shed at capacity) carries the <see cref="PushbackTrailer"/> trailer when
/// <see cref="ChaosOptions.ErrorPushback"/> is set; grpc-dotnet sends an <see cref="RpcException"/>'s trailers
/// to the caller with the status.
/// </summary>
internal sealed class ChaosCallGate(
    ChaosController controller,
    ServerCallStatistics statistics,
    ServerMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ChaosCallGate> logger)
{
    /// <summary>The request id header read for calls whose messages carry none (streams).</summary>
    public const string RequestIdHeader = "x-request-id";

    /// <summary>The server pushback trailer of gRFC A6, sent with injected failures when configured.</summary>
    public const string PushbackTrailer = "grpc-retry-pushback-ms";

    /// <summary>The id logged for a call that carries none.</summary>
    private const string NoRequestId = "-";

    public async Task<T> RunAsync<T>(ServerCallContext context, string? requestId, Func<Task<T>> work)
    {
        var (fullMethod, method) = MethodNames(context);
        var id = RequestIdFor(context, requestId);
        var decision = controller.Decide(id == NoRequestId ? null : id, fullMethod);
        statistics.RecordCall(method, decision.Outcome);
        metrics.RecordCall(fullMethod, decision.Outcome);
        ServerLog.CallReceived(logger, method, id, decision.ToString());

        try
        {
            switch (decision.Outcome)
            {
                case ChaosOutcome.Error:
                    throw new RpcException(
                        new Status(decision.Code, $"Chaos: injected {ChaosStatusCodes.ToName(decision.Code)}."),
                        FailureTrailers(decision));
                case ChaosOutcome.Outage:
                    throw new RpcException(
                        new Status(StatusCode.Unavailable, "Chaos: the server is in an outage window."),
                        FailureTrailers(decision));
                case ChaosOutcome.Hang:
                    await Task.Delay(decision.HangDuration, timeProvider, context.CancellationToken);
                    break;
                default:
                    break;
            }

            var admission = controller.Admit(out var handler);
            await ServeAsync(admission, handler, context, fullMethod, method, id);
            return await work();
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            statistics.RecordAbandoned();
            metrics.RecordAbandoned(fullMethod);
            ServerLog.CallAbandoned(logger, method, id);
            throw Abandoned(context);
        }
    }

    /// <summary>
    /// Passes the call through its handler as <paramref name="admission"/> says: refuses it, or waits until its handler is
    /// done with it. The handler's time is spent whether or not the caller stays, so the wait itself ignores the caller's
    /// cancellation; only the answer stops waiting for it (the stream is released, and the server counts the call served
    /// for nobody once its handler is done).
    /// </summary>
    private async Task ServeAsync(CapacityAdmission admission, CapacityHandler handler, ServerCallContext context, string fullMethod, string method, string id)
    {
        if (admission.Refused)
        {
            statistics.RecordShed();
            metrics.RecordShed(fullMethod);
            ServerLog.CallShed(logger, method, id);
            throw new RpcException(
                new Status(StatusCode.Unavailable, "Chaos: the server is at capacity; every handler is busy."),
                admission.Pushback is { } pushback ? new Metadata { { PushbackTrailer, pushback } } : Metadata.Empty);
        }

        if (admission.Queued)
        {
            statistics.RecordQueued();
            metrics.RecordQueued(fullMethod);
            ServerLog.CallQueued(logger, method, id, admission.Wait.TotalMilliseconds);
        }

        if (admission.ServedAfter <= TimeSpan.Zero)
        {
            return;
        }

        var served = HandlerBusyAsync(admission.ServedAfter, handler);
        try
        {
            await served.WaitAsync(context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            _ = CountServedAfterCallerLeftAsync(served, fullMethod);
            throw;
        }
    }

    /// <summary>The handler's time on the call: it ends with the handler told that the call is answered, whoever still listens.</summary>
    private async Task HandlerBusyAsync(TimeSpan servedAfter, CapacityHandler handler)
    {
        await Task.Delay(servedAfter, timeProvider, CancellationToken.None);
        handler.Answered();
    }

    private async Task CountServedAfterCallerLeftAsync(Task served, string fullMethod)
    {
        await served;
        statistics.RecordServedAfterCallerLeft();
        metrics.RecordServedAfterCallerLeft(fullMethod);
    }

    /// <summary>
    /// The status for a call nobody waits for any more: <c>CANCELLED</c> when the caller went away,
    /// <c>DEADLINE_EXCEEDED</c> when the call's own deadline ended it (so a late reader sees the true cause).
    /// </summary>
    private static RpcException Abandoned(ServerCallContext context) =>
        context.GetHttpContext().RequestAborted.IsCancellationRequested
            ? new RpcException(new Status(StatusCode.Cancelled, "The caller abandoned the call."))
            : new RpcException(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed before the server answered."));

    private static Metadata FailureTrailers(ChaosDecision decision) =>
        decision.Pushback is { } pushback ? new Metadata { { PushbackTrailer, pushback } } : Metadata.Empty;

    private static (string FullMethod, string Method) MethodNames(ServerCallContext context)
    {
        var fullMethod = context.Method.TrimStart('/');
        var slash = fullMethod.LastIndexOf('/');
        return (fullMethod, slash >= 0 ? fullMethod[(slash + 1)..] : fullMethod);
    }

    private static string RequestIdFor(ServerCallContext context, string? requestId)
    {
        if (!string.IsNullOrEmpty(requestId))
        {
            return requestId;
        }

        var header = context.RequestHeaders.GetValue(RequestIdHeader);
        return string.IsNullOrEmpty(header) ? NoRequestId : header;
    }
}
