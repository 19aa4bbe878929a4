using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Turns how a call ended into a <see cref="CallOutcome"/>, with the failure set as a bit mask.</summary>
internal sealed class OutcomeClassifier
{
    private readonly ulong failureMask;

    public OutcomeClassifier(IEnumerable<StatusCode> failureStatusCodes)
    {
        foreach (var code in failureStatusCodes)
        {
            // Stryker disable once Assignment : a set holds each code once, so ^= sets the same bits as |= (&= is killed).
            failureMask |= Bit(code);
        }
    }

    /// <summary>No error: success; a cancelled token, Cancelled, or no server status (a local error, our refusal): ignored; else by the failure set.</summary>
    public CallOutcome Classify(Exception? error, CancellationToken callerToken, CancellationToken readToken = default)
    {
        if (error is null)
        {
            return CallOutcome.Success;
        }

        if (callerToken.IsCancellationRequested || readToken.IsCancellationRequested
            || error is not RpcException rpc || error is INonRetryableError)
        {
            return CallOutcome.Ignored;
        }

        return Classify(rpc.StatusCode);
    }

    public CallOutcome Classify(StatusCode code) =>
        code == StatusCode.Cancelled ? CallOutcome.Ignored
        : (failureMask & Bit(code)) != 0 ? CallOutcome.Failure
        : CallOutcome.Success;

    // Stryker disable once Equality : "< 64" as "<= 64" lets code 64 through, whose shift wraps to bit 0, OK's, which validation
    // keeps out of the failure set (a code out of range that wraps to a failure's bit is tested).
    private static ulong Bit(StatusCode code) => (uint)code < 64 ? 1UL << (int)code : 0;
}
