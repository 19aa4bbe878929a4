namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Why a failed attempt is not retried (grpc-dotnet calls this the commit reason).</summary>
internal enum RetryStopReason
{
    /// <summary>Not stopping: retry after <see cref="RetryDecision.Delay"/>.</summary>
    None,

    /// <summary>The caller cancelled or disposed the call.</summary>
    Cancelled,

    /// <summary>The status is not in <see cref="RetryOptions.RetryableStatusCodes"/>, or the error is not a gRPC status.</summary>
    NonRetryableStatus,

    BrokenCircuit,

    /// <summary><see cref="RetryOptions.MaxAttempts"/> attempts have been made.</summary>
    AttemptsExhausted,

    /// <summary>The server's pushback trailer was negative or malformed.</summary>
    ServerPushback,

    Throttled,

    /// <summary>The caller's deadline has passed or would pass before the next attempt could start.</summary>
    DeadlineExceeded,
}
