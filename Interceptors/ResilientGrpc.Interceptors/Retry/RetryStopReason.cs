namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Why a failed attempt is not retried (grpc-dotnet calls this the commit reason).</summary>
internal enum RetryStopReason
{
    None,

    Cancelled,

    NonRetryableStatus,

    RefusedLocally,

    AttemptsExhausted,

    ServerPushback,

    Throttled,

    DeadlineExceeded,
}
