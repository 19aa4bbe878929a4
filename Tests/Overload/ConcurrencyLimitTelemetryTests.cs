using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// What an operator reads of a concurrency limit: one warning when a spell of refusals starts, one line when it ends
/// with how many were refused, and nothing per refusal; every refusal counted with its reason; the limit and the attempts
/// in flight as gauges.
/// </summary>
public sealed class ConcurrencyLimitTelemetryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeTimeProvider time = null!;
    private TaskCompletionSource release = null!;
    private ScriptedCallInvoker server = null!;
    private ServiceProvider services = null!;
    private FakeLogCollector logs = null!;
    private UnstableService.UnstableServiceClient client = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server = new ScriptedCallInvoker(time);
        server.Unary = async (_, token) =>
        {
            await release.Task.WaitAsync(token);
            return null;
        };
        services = new ServiceCollection()
            .AddMetrics()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace))
            .BuildServiceProvider();
        logs = services.GetFakeLogCollector();
        var limit = new ConcurrencyLimitInterceptor(
            new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1, MaxQueueWait = TimeSpan.Zero },
            time,
            services.GetRequiredService<ILoggerFactory>(),
            Meters);
        client = new UnstableService.UnstableServiceClient(server.Intercept(limit));
    }

    /// <summary>The meter factory the limit records to, owned by the test's services.</summary>
    private IMeterFactory Meters => services.GetRequiredService<IMeterFactory>();

    [TearDown]
    public void TearDown() => services.Dispose();

    [Test]
    public async Task ManyRefusals_OneWarningWhenTheSpellStarts()
    {
        using var held = client.ProcessAsync(new ProcessRequest());

        await RefuseAsync(5);

        var warning = Events().Single();
        Assert.That(warning.Id.Name, Is.EqualTo("ConcurrencyLimitReached"));
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Category, Is.EqualTo("ResilientGrpc.Overload"));
        Assert.That(
            warning.Message,
            Is.EqualTo("Concurrency limit reached for unknown: 1 attempts in flight; an attempt that gets no slot within 0 ms is refused locally without reaching the server"));
    }

    [Test]
    public async Task AdmittedASecondAfterTheLastRefusal_OneLineEndsTheSpellWithItsCount()
    {
        var held = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(3);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await RefuseAsync(2);
        release.SetResult();
        await held.ResponseAsync.WaitAsync(Bound);
        held.Dispose();

        time.Advance(TimeSpan.FromMilliseconds(999));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        Assert.That(Events().Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached" }), "a refusal came less than a second ago: the spell goes on");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        var events = Events();
        Assert.That(events.Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached", "ConcurrencyLimitRecovered" }));
        Assert.That(events[1].Level, Is.EqualTo(LogLevel.Information));
        Assert.That(events[1].Message, Is.EqualTo("Concurrency limit for unknown no longer refusing: 5 attempt(s) were refused; the limit is 1"));
    }

    [Test]
    public async Task SecondSpell_ItsOwnWarningAndCount()
    {
        var held = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(2);
        release.SetResult();
        await held.ResponseAsync.WaitAsync(Bound);
        held.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var heldAgain = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(4);

        Assert.That(Events().Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached", "ConcurrencyLimitRecovered", "ConcurrencyLimitReached" }));
        Assert.That(Events()[1].Message, Does.Contain(": 2 attempt(s) were refused"));
    }

    [Test]
    public async Task Refusals_CountedWithMethodTargetAndReason()
    {
        using var rejections = new MetricCollector<long>(Meters, ResilienceTelemetry.MeterName, ResilienceTelemetry.Instruments.OverloadRejections);
        using var held = client.ProcessAsync(new ProcessRequest());

        await RefuseAsync(3);

        var counted = rejections.GetMeasurementSnapshot();
        Assert.That(counted.Select(m => m.Value), Is.EqualTo(new long[] { 1, 1, 1 }));
        Assert.That(counted[0].Tags[ResilienceTelemetry.Tags.Reason], Is.EqualTo("concurrency_limit"));
        Assert.That(counted[0].Tags[ResilienceTelemetry.Tags.Method], Is.EqualTo("unstable.v1.UnstableService/Process"));
        Assert.That(counted[0].Tags[ResilienceTelemetry.Tags.Target], Is.EqualTo("unknown"));
    }

    [Test]
    public async Task Gauges_TheLimitAndTheAttemptsInFlight()
    {
        using var limitGauge = new MetricCollector<int>(Meters, ResilienceTelemetry.MeterName, ResilienceTelemetry.Instruments.ConcurrencyLimit);
        using var inFlight = new MetricCollector<int>(Meters, ResilienceTelemetry.MeterName, ResilienceTelemetry.Instruments.ConcurrencyInFlight);
        Assert.That(Gauges.Read(inFlight).Value, Is.Zero);

        var held = client.ProcessAsync(new ProcessRequest());

        Assert.That(Gauges.Read(limitGauge).Value, Is.EqualTo(1));
        Assert.That(Gauges.Read(inFlight).Value, Is.EqualTo(1));
        Assert.That(inFlight.GetMeasurementSnapshot().Single().Tags[ResilienceTelemetry.Tags.Target], Is.EqualTo("unknown"));
        release.SetResult();
        await held.ResponseAsync.WaitAsync(Bound);
        Assert.That(Gauges.Read(inFlight).Value, Is.Zero);
        held.Dispose();
    }

    private async Task RefuseAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Assert.ThrowsAsync<OverloadRejectedException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        }
    }

    private List<FakeLogRecord> Events() => [.. logs.GetSnapshot().Where(r => r.Category == "ResilientGrpc.Overload")];
}
