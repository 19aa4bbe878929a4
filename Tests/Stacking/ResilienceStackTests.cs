using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Stacking;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Stacking;

/// <summary>The stack the one-line helpers and the client factory build: each interceptor knows its target from the start.</summary>
public sealed class ResilienceStackTests : TelemetryTestBase
{
    [Test]
    public async Task Create_Target_TagsRetryThrottledEvenWithoutCallInstruments()
    {
        using var throttled = Collect<long>("resilientgrpc.retry.throttled");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new ResilienceOptions
        {
            Retry = new RetryOptions { JitterFactor = 0, MaxAttempts = 2, Throttling = new RetryThrottlingOptions { MaxTokens = 2 } },
            CircuitBreaker = null,
            Deadline = null,
        };
        var stack = ResilienceStack.Create(options, Clock, loggerFactory: null, Meters, target: "stacked");
        var client = new UnstableService.UnstableServiceClient(Network.Intercept(new ResilienceInterceptor(stack)));

        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Count, Is.EqualTo(1), "the budget refused the retry");
        Assert.That(Tag(throttled.GetMeasurementSnapshot().Single(), "grpc.target"), Is.EqualTo("stacked"));
    }
}
