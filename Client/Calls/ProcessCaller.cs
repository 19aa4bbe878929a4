using Grpc.Core;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Client.Calls;

/// <summary>
/// Makes one <c>Process</c> call through the resilient client, records how it ended in
/// <see cref="TrafficCounters"/> and logs it (category <see cref="LogCategory"/>).
/// </summary>
internal sealed class ProcessCaller(
    UnstableService.UnstableServiceClient client,
    TrafficCounters counters,
    TimeProvider timeProvider,
    ILogger logger,
    LogLevel outcomeLevel)
{
    public const string LogCategory = "ResilientGrpc.Client.Calls";

    /// <summary>Calls <c>Process</c> once.</summary>
    /// <param name="requestId">The request id the server logs.</param>
    /// <param name="cancellationToken">Ends the call (it is then recorded as CANCELLED).</param>
    /// <returns>How the call ended.</returns>
    public async Task<CallOutcome> CallAsync(string requestId, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var request = new ProcessRequest { RequestId = requestId, Payload = "hello" };
        CallOutcome outcome;
        try
        {
            await client.ProcessAsync(request, cancellationToken: cancellationToken);
            outcome = new CallOutcome(StatusCode.OK, RejectedByBreaker: false, timeProvider.GetElapsedTime(started));
        }
        catch (BrokenCircuitException ex)
        {
            outcome = new CallOutcome(ex.StatusCode, RejectedByBreaker: true, timeProvider.GetElapsedTime(started));
        }
        catch (RpcException ex)
        {
            outcome = new CallOutcome(ex.StatusCode, RejectedByBreaker: false, timeProvider.GetElapsedTime(started));
        }

        counters.CallCompleted(outcome);
        Log(requestId, outcome);
        return outcome;
    }

    private void Log(string requestId, CallOutcome outcome)
    {
        var seconds = outcome.Elapsed.TotalSeconds;
        if (outcome.Succeeded)
        {
            CallLog.Succeeded(logger, outcomeLevel, requestId, seconds);
        }
        else if (outcome.RejectedByBreaker)
        {
            CallLog.Rejected(logger, requestId, seconds);
        }
        else
        {
            CallLog.Failed(logger, outcomeLevel, requestId, StatusNames.Of(outcome.Status), seconds);
        }
    }
}
