using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>The rejection error: an Unavailable RpcException that says which circuit is open, and when to come back.</summary>
public sealed class BrokenCircuitExceptionTests
{
    [TestCase(CircuitState.Open, "open")]
    [TestCase(CircuitState.HalfOpen, "half_open")]
    [TestCase(CircuitState.Isolated, "isolated")]
    public void Constructor_RejectingState_CarriesStatusDetailAndTrailer(CircuitState state, string trailer)
    {
        TimeSpan? retryAfter = state == CircuitState.Isolated ? null : TimeSpan.FromSeconds(12.5);

        RpcException error = new BrokenCircuitException("payments", "/svc/Method", state, retryAfter);

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(error.Status.Detail, Does.Contain("Circuit 'payments' (key '/svc/Method') is open"));
            Assert.That(error.Trailers.GetValue("resilientgrpc-circuit"), Is.EqualTo(trailer));
            Assert.That(((BrokenCircuitException)error).RetryAfter, Is.EqualTo(retryAfter));
        });
    }

    [Test]
    public void Constructor_Open_DetailSaysWhenToRetry()
    {
        var error = new BrokenCircuitException("default", key: null, CircuitState.Open, TimeSpan.FromSeconds(30));

        Assert.That(error.Status.Detail, Is.EqualTo("Circuit 'default' is open: retry after 30 s."));
    }
}
