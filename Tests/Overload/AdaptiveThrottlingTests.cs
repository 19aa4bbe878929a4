using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// Client-side adaptive throttling as a caller meets it: nothing refused while the server accepts at least half of what
/// it is sent, most of the load refused locally while it accepts nothing, and the traffic back within the window once it
/// recovers.
/// </summary>
public sealed class AdaptiveThrottlingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeTimeProvider time = null!;
    private ScriptedCallInvoker server = null!;
    private AdaptiveThrottlingInterceptor throttling = null!;
    private UnstableService.UnstableServiceClient client = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        server = new ScriptedCallInvoker(time);
        throttling = new AdaptiveThrottlingInterceptor(new AdaptiveThrottlingOptions(), InterceptorServices.From(time, null, null), new Random(11).NextDouble);
        client = new UnstableService.UnstableServiceClient(server.Intercept(throttling));
    }

    [Test]
    public async Task ServerAcceptsEverything_NothingRefused()
    {
        var outcomes = await CallAsync(500);

        Assert.That(outcomes[StatusCode.OK], Is.EqualTo(500));
        Assert.That(throttling.RefusalProbability, Is.Zero);
    }

    [Test]
    public async Task QuarterOfTheAttemptsFailUnavailableAtRandom_NothingRefused()
    {
        server.Unary = (arrival, _) => arrival.Number % 4 == 0
            ? Task.FromException<object?>(new RpcException(new Status(StatusCode.Unavailable, "flaky")))
            : Task.FromResult<object?>(null);

        var outcomes = await CallAsync(1000);

        Assert.That(server.Count, Is.EqualTo(1000), "every attempt reached the server");
        Assert.That(outcomes.GetValueOrDefault(StatusCode.ResourceExhausted), Is.Zero);
    }

    [Test]
    public async Task ServerFailsWithOtherStatuses_TheyAreAccepts_NothingRefused()
    {
        server.Unary = ScriptedCallInvoker.FailWith(StatusCode.Internal);

        var outcomes = await CallAsync(300);

        Assert.That(outcomes[StatusCode.Internal], Is.EqualTo(300));
    }

    [Test]
    public async Task ServerRefusesEverything_MostRefusedLocallyAndSomeStillSent()
    {
        server.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);

        var outcomes = await CallAsync(1000, every: TimeSpan.FromMilliseconds(10));

        // 100 calls a second and a 2 s window: about 200 requests in it, so about one attempt in 201 is sent, after the
        // first few that fill it.
        Assert.That(server.Count, Is.InRange(5, 30), "attempts sent");
        Assert.That(outcomes[StatusCode.ResourceExhausted], Is.EqualTo(1000 - server.Count));
        Assert.That(throttling.RefusalProbability, Is.GreaterThan(0.95));
    }

    [Test]
    public async Task ServerRecovers_TrafficBackWithinTheWindow()
    {
        server.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        await CallAsync(500);
        server.Unary = static (_, _) => Task.FromResult<object?>(null);

        time.Pass(TimeSpan.FromSeconds(2));
        var outcomes = await CallAsync(100);

        Assert.That(outcomes[StatusCode.OK], Is.EqualTo(100));
    }

    [Test]
    public async Task RefusedAttempt_LocalOverloadErrorNamingTheLayer()
    {
        server.Unary = ScriptedCallInvoker.FailWith(StatusCode.ResourceExhausted);
        await CallAsync(200);

        var error = await FirstRefusalAsync();

        Assert.That(error.Reason, Is.EqualTo(OverloadRejectionReason.AdaptiveThrottling));
        Assert.That(error.Trailers.GetValue(OverloadRejectedException.TrailerName), Is.EqualTo("adaptive_throttling"));
        Assert.That(error.Status.Detail, Does.Contain("accepted 0 of the last"));
    }

    [Test]
    public async Task ProbabilityGauge_ReadsTheRefusalProbabilityTaggedWithTheTarget()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        throttling = new AdaptiveThrottlingInterceptor(
            new AdaptiveThrottlingOptions(), InterceptorServices.From(time, null, meters, "payments:443"), new Random(11).NextDouble);
        client = new UnstableService.UnstableServiceClient(server.Intercept(throttling));
        using var gauge = new MetricCollector<double>(meters, ResilienceTelemetry.MeterName, ResilienceTelemetry.Instruments.ThrottlingProbability);
        Assert.That(Gauges.Read(gauge).Value, Is.Zero, "a server that has refused nothing");

        server.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        await CallAsync(500);
        var refusing = Gauges.Read(gauge);

        Assert.That(refusing.Value, Is.EqualTo(throttling.RefusalProbability).And.GreaterThan(0.9));
        Assert.That(refusing.Tags[ResilienceTelemetry.Tags.Target], Is.EqualTo("payments:443"));
    }

    [Test]
    public void Constructor_InvalidOptions_NamesEverySetting()
    {
        var error = Assert.Throws<ArgumentException>(() => new AdaptiveThrottlingInterceptor(new AdaptiveThrottlingOptions
        {
            Multiplier = 1,
            Window = TimeSpan.FromMilliseconds(10),
            OverloadStatusCodes = new HashSet<StatusCode> { StatusCode.OK },
        }));

        Assert.That(error!.Message, Does.Contain("AdaptiveThrottlingOptions.Multiplier"));
        Assert.That(error.Message, Does.Contain("AdaptiveThrottlingOptions.Window"));
        Assert.That(error.Message, Does.Contain("AdaptiveThrottlingOptions.OverloadStatusCodes"));
    }

    private async Task<Dictionary<StatusCode, int>> CallAsync(int count, TimeSpan every = default)
    {
        var outcomes = new Dictionary<StatusCode, int>();
        for (var i = 0; i < count; i++)
        {
            time.Pass(every);
            var status = StatusCode.OK;
            try
            {
                using var call = client.ProcessAsync(new ProcessRequest());
                await call.ResponseAsync.WaitAsync(Bound);
            }
            catch (RpcException error)
            {
                status = error.StatusCode;
            }

            outcomes[status] = outcomes.GetValueOrDefault(status) + 1;
        }

        return outcomes;
    }

    private async Task<OverloadRejectedException> FirstRefusalAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var call = client.ProcessAsync(new ProcessRequest());
                await call.ResponseAsync.WaitAsync(Bound);
            }
            catch (OverloadRejectedException error)
            {
                return error;
            }
            catch (RpcException)
            {
            }
        }

        throw new AssertionException("no call was refused");
    }
}
