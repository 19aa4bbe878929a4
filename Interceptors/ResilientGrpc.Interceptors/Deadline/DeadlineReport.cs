using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// What the deadline interceptor logs if a call it gave a deadline ends in DeadlineExceeded: set when it gave the
/// call its deadline and its logger is enabled, empty otherwise.
/// </summary>
internal readonly record struct DeadlineReport(ILogger? Logger, string Method, double TimeoutSeconds) : ICallObserver
{
    /// <summary>Whether there is anything to log.</summary>
    public bool IsActive => Logger is not null;

    /// <inheritdoc />
    public void OnEnded(Exception? error, CancellationToken readToken)
    {
        if (error is not null && CallErrors.CodeOf(error) == StatusCode.DeadlineExceeded)
        {
            Exceeded();
        }
    }

    /// <inheritdoc />
    public void OnAbandoned()
    {
    }

    /// <summary>A report made once and shared by every call it applies to, for an owner of several attempts that reports their ends.</summary>
    /// <param name="Report">The report.</param>
    internal sealed record Box(DeadlineReport Report) : IAttemptWatcher
    {
        /// <inheritdoc />
        public void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) => Report.OnEnded(error, default);
    }

    /// <summary>Logs that the call exceeded its deadline.</summary>
    public void Exceeded()
    {
        if (Logger is { } logger)
        {
            DeadlineLog.DeadlineExceeded(logger, Method, TimeoutSeconds);
        }
    }
}
