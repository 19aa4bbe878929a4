using Grpc.Core;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The points where the <see cref="RetryInterceptor"/> reports what it does, each called exactly once per event.
/// Currently silent; logging (<c>[LoggerMessage]</c>) and metrics (<c>grpc.client.attempt.started</c>,
/// <c>grpc.client.call.retries</c>, ...) plug in here without touching the retry logic.
/// </summary>
internal sealed class RetryTelemetry
{
    /// <summary>Reports nothing.</summary>
    public static readonly RetryTelemetry None = new();

    /// <summary>Attempt <paramref name="attempt"/> (1 for the first) of a call to <paramref name="method"/> starts.</summary>
    public void AttemptStarted(IMethod method, int attempt)
    {
        // Extension point for logging and metrics.
    }

    /// <summary>
    /// An attempt failed with <paramref name="status"/>; <paramref name="decision"/> says whether and after what delay
    /// the next one follows.
    /// </summary>
    public void AttemptFailed(IMethod method, int attempt, StatusCode status, RetryDecision decision)
    {
        // Extension point for logging and metrics.
    }

    /// <summary>The server's pushback trailer asked for <paramref name="delay"/> (negative: stop retrying).</summary>
    public void PushbackReceived(IMethod method, TimeSpan delay)
    {
        // Extension point for logging and metrics.
    }

    /// <summary>The retry budget refused a retry the policy would otherwise have made.</summary>
    public void RetryThrottled(IMethod method, int attempt)
    {
        // Extension point for logging and metrics.
    }

    /// <summary>The caller's deadline passed or would pass during the next delay; the call fails now.</summary>
    public void DeadlineExceeded(IMethod method, int attempt)
    {
        // Extension point for logging and metrics.
    }

    /// <summary>A call stopped retrying after <paramref name="attempts"/> attempts, for <paramref name="reason"/>.</summary>
    public void RetriesStopped(IMethod method, int attempts, RetryStopReason reason, StatusCode status)
    {
        // Extension point for logging and metrics.
    }
}
