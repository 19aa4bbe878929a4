namespace ResilientGrpc.Tests.Dispose;

/// <summary>Which interceptors a call goes through.</summary>
public enum Layers
{
    /// <summary>The default stack of <c>WithResilience</c>: retry, circuit breaker, deadline.</summary>
    Stack,

    /// <summary>The retry interceptor alone.</summary>
    Retry,

    /// <summary>The circuit breaker alone.</summary>
    Breaker,

    /// <summary>The deadline interceptor alone.</summary>
    Deadline,

    /// <summary>The hedging interceptor alone, hedging every method of the service.</summary>
    Hedging,
}
