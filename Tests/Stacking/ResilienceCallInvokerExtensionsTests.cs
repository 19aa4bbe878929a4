using Grpc.Core;
using Grpc.Net.Client;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Stacking;

/// <summary>One-line stacking: retry → breaker → deadline, each part optional.</summary>
public sealed class ResilienceCallInvokerExtensionsTests : TelemetryTestBase
{
    [TestCase(true, TestName = "WithResilience_Defaults_ThreeAttemptsPerCallAndBreakerOpensOnFifthFailedCall")]
    [TestCase(false, TestName = "WithResilience_RetryAndBreakerAlone_ThreeAttemptsPerCallAndBreakerOpensOnFifthFailedCall")]
    public async Task WithResilience_ThreeAttemptsPerCallAndBreakerOpensOnFifthFailedCall(bool withLimit)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new ResilienceOptions();
        if (!withLimit)
        {
            // The breaker alone then reads the retry's attempts: they still count as one call.
            options.ConcurrencyLimit = null;
            options.Deadline = null;
        }

        var client = new UnstableService.UnstableServiceClient(Network.WithResilience(options, Clock, Loggers, Meters));

        // Default jitter is ±20%: advancing by the longest possible delay passes each backoff.
        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1.2, 2.4);
        Assert.That(Network.Count, Is.EqualTo(3), "3 attempts by default");

        for (var call = 2; call <= 5; call++)
        {
            await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1.2, 2.4);
        }

        Assert.That(Network.Count, Is.EqualTo(15), "5 failed calls of 3 attempts each opened the breaker");
        Assert.That(Logs.GetSnapshot().Count(r => r.Id.Name is "CircuitOpened" or "CircuitOpenedOnAttempts"), Is.EqualTo(1));

        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Assert.That(rejected.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(15), "an open breaker is not retried");
    }

    [Test]
    public async Task WithResilience_Defaults_EachAttemptGetsTwoSecondDeadline()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var exact = new ResilienceOptions { Retry = new RetryOptions { JitterFactor = 0 } };
        var client = new UnstableService.UnstableServiceClient(Network.WithResilience(exact, Clock));
        var start = Time.GetUtcNow().UtcDateTime;

        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(
            Network.Arrivals.Select(a => a.Deadline!.Value - start),
            Is.EqualTo(new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5) }));
    }

    [Test]
    public async Task WithResilience_NullParts_LeftOut()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new ResilienceOptions { Retry = null, CircuitBreaker = null, Deadline = null };
        var client = new UnstableService.UnstableServiceClient(Network.WithResilience(options, Clock));

        for (var i = 0; i < 6; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        Assert.That(Network.Count, Is.EqualTo(6), "no retry, no breaker");
        Assert.That(Network.Arrivals.Select(a => a.Deadline), Is.All.Null, "no deadline");
    }

    [Test]
    public async Task WithResilience_EveryPatternOff_ReturnsTheInvokerItself()
    {
        var options = Off();

        var invoker = Network.WithResilience(options, Clock);
        await new UnstableService.UnstableServiceClient(invoker).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(invoker, Is.SameAs(Network), "nothing to add: a call costs what it costs without the library");
        Assert.That(Network.Arrivals.Single().Deadline, Is.Null);
    }

    [TestCase("Hedging")]
    [TestCase("Retry")]
    [TestCase("AdaptiveThrottling")]
    [TestCase("ConcurrencyLimit")]
    [TestCase("CircuitBreaker")]
    [TestCase("Deadline")]
    public void WithResilience_OnePatternOn_WrapsTheInvoker(string pattern)
    {
        var options = Off();
        switch (pattern)
        {
            case "Hedging": options.Hedging = new HedgingOptions { HedgedMethods = { "/" + Method } }; break;
            case "Retry": options.Retry = new RetryOptions(); break;
            case "AdaptiveThrottling": options.AdaptiveThrottling = new AdaptiveThrottlingOptions(); break;
            case "ConcurrencyLimit": options.ConcurrencyLimit = new ConcurrencyLimitOptions(); break;
            case "CircuitBreaker": options.CircuitBreaker = new CircuitBreakerOptions(); break;
            default: options.Deadline = new DeadlineOptions(); break;
        }

        Assert.That(Network.WithResilience(options, Clock), Is.Not.SameAs(Network));
    }

    [Test]
    public async Task WithResilience_OnlyRetryLeftOut_NoRetryButBreakerAndDeadline()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = new UnstableService.UnstableServiceClient(Network.WithResilience(new ResilienceOptions { Retry = null }, Clock));

        for (var i = 0; i < 6; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }

        Assert.That(Network.Count, Is.EqualTo(5), "the breaker opened after 5 and refused the 6th");
        Assert.That(Network.Arrivals.Select(a => a.Deadline), Is.All.Not.Null);
    }

    [Test]
    public void WithResilience_InvalidOptionsInAllParts_ArgumentExceptionNamesEach()
    {
        var options = new ResilienceOptions
        {
            Retry = new RetryOptions { MaxAttempts = 0 },
            CircuitBreaker = new CircuitBreakerOptions { FailureThreshold = 0 },
            Deadline = new DeadlineOptions { Timeout = TimeSpan.FromSeconds(-3) },
        };

        var error = Assert.Throws<ArgumentException>(() => Network.WithResilience(options));

        Assert.That(error.Message, Does.Contain("RetryOptions.MaxAttempts"));
        Assert.That(error.Message, Does.Contain("CircuitBreakerOptions.FailureThreshold"));
        Assert.That(error.Message, Does.Contain("DeadlineOptions.Timeout"));
    }

    [Test]
    public async Task WithResilience_OnChannel_TargetTagIsChannelTarget()
    {
        await using var host = await ChaosServerHost.StartAsync();
        using var channel = host.CreateChannel();
        using var calls = Collect<double>("grpc.client.call.duration");
        using var attempts = Collect<long>("grpc.client.attempt.started");
        var client = new UnstableService.UnstableServiceClient(channel.WithResilience(meterFactory: Meters));

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(channel.Target, Is.Not.Empty);
        Assert.That(Tag(calls.GetMeasurementSnapshot().Single(), "grpc.target"), Is.EqualTo(channel.Target));
        Assert.That(Tag(attempts.GetMeasurementSnapshot().Single(), "grpc.target"), Is.EqualTo(channel.Target));
        Assert.That(Tag(calls.GetMeasurementSnapshot().Single(), "grpc.status"), Is.EqualTo("OK"));
    }

    [Test]
    public void WithResilience_NullChannelOrInvoker_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ((GrpcChannel)null!).WithResilience());
        Assert.Throws<ArgumentNullException>(() => ((CallInvoker)null!).WithResilience());
    }

    private static ResilienceOptions Off() => new()
    {
        Hedging = null, Retry = null, AdaptiveThrottling = null, ConcurrencyLimit = null, CircuitBreaker = null, Deadline = null,
    };
}
