namespace ResilientGrpc.Client.Overload;

/// <summary>How one call of the overload demo ended, as its caller saw it.</summary>
internal enum OverloadOutcome
{
    /// <summary>The server answered.</summary>
    Ok,

    /// <summary>The server refused it with <c>UNAVAILABLE</c> (shed: every handler busy), retries included.</summary>
    ServerUnavailable,

    /// <summary>Its deadline passed.</summary>
    DeadlineExceeded,

    /// <summary>The library refused it locally for overload, without sending it (<c>OverloadRejectedException</c>).</summary>
    RefusedLocally,

    /// <summary>The library's open circuit rejected it without sending it (<c>BrokenCircuitException</c>).</summary>
    BreakerRejected,

    /// <summary>Any other error.</summary>
    OtherError,
}
