namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>How a finished call counts for the breaker.</summary>
internal enum CallOutcome
{
    /// <summary>A completed status outside the failure set: resets the consecutive count.</summary>
    Success,

    /// <summary>A final status in the failure set.</summary>
    Failure,

    /// <summary>Cancelled by the caller, disposed before completion, or status Cancelled: counts as neither.</summary>
    Ignored,
}
