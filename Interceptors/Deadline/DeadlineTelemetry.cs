using Grpc.Core;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The points where the <see cref="DeadlineInterceptor"/> reports what it did. Currently silent; logging
/// (<c>[LoggerMessage]</c>) and metrics plug in here without touching the interceptor's logic.
/// </summary>
internal sealed class DeadlineTelemetry
{
    /// <summary>Reports nothing.</summary>
    public static readonly DeadlineTelemetry None = new();

    /// <summary>A call got <paramref name="deadline"/>, replacing the caller's (null: the caller had none).</summary>
    public void DeadlineApplied(IMethod method, DateTime deadline, DateTime? callerDeadline)
    {
        // Extension point for logging and metrics.
    }
}
