namespace ResilientGrpc.Interceptors;

/// <summary>Which layer refused a call for overload, without sending it.</summary>
public enum OverloadRejectionReason
{
    /// <summary>The <see cref="ConcurrencyLimitInterceptor"/>: as many attempts as its limit were in flight.</summary>
    ConcurrencyLimit,

    /// <summary>The <see cref="AdaptiveThrottlingInterceptor"/>: the server accepted too few of the recent attempts.</summary>
    AdaptiveThrottling,
}
