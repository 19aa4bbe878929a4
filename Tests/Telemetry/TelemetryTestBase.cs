using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>
/// A scripted network on fake time, and per-test meter and logger factories, so a test sees only its own
/// measurements and log records.
/// </summary>
public abstract class TelemetryTestBase
{
    protected const string Method = "unstable.v1.UnstableService/Process";
    protected const string Target = "scripted";
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private ServiceProvider services = null!;

    private protected FakeTimeProvider Time { get; private set; } = null!;

    /// <summary>The clock the interceptors get: the same fake time, counting the backoff timers.</summary>
    private protected CountingTimeProvider Clock { get; private set; } = null!;

    private protected ScriptedCallInvoker Network { get; private set; } = null!;

    protected IMeterFactory Meters { get; private set; } = null!;

    protected ILoggerFactory Loggers { get; private set; } = null!;

    protected FakeLogCollector Logs { get; private set; } = null!;

    [SetUp]
    public void CreateTelemetry()
    {
        services = new ServiceCollection()
            .AddMetrics()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace))
            .BuildServiceProvider();
        Meters = services.GetRequiredService<IMeterFactory>();
        Loggers = services.GetRequiredService<ILoggerFactory>();
        Logs = services.GetFakeLogCollector();
        Time = new FakeTimeProvider();
        Clock = new CountingTimeProvider(Time);
        Network = new ScriptedCallInvoker(Time);
    }

    [TearDown]
    public void DisposeTelemetry()
    {
        Meters.Dispose();
        Loggers.Dispose();
        services.Dispose();
    }

    protected MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(Meters, ResilienceTelemetry.MeterName, instrument);

    /// <summary>Retry with exact delays (1 s, 2 s, ...), recording to this test's meter.</summary>
    private protected RetryInterceptor Retry(RetryOptions? options = null, bool log = true) =>
        new(options ?? new RetryOptions { JitterFactor = 0 }, InterceptorServices.From(Clock, log ? Loggers : null, Meters, Target), random: () => 0.5);

    private protected CircuitBreakerInterceptor Breaker(CircuitBreakerOptions? options = null, bool log = true) =>
        new(options ?? new CircuitBreakerOptions { Name = "unstable" }, InterceptorServices.From(Clock, log ? Loggers : null, Meters, Target));

    private protected DeadlineInterceptor Deadline(DeadlineOptions? options = null, bool log = true) =>
        new(options ?? new DeadlineOptions(), InterceptorServices.From(Clock, log ? Loggers : null, Meters, Target));

    /// <summary>A client over the scripted network; the first interceptor is the outermost.</summary>
    private protected UnstableService.UnstableServiceClient Client(params Interceptor[] outermostFirst) =>
        new(Network.Intercept(outermostFirst));

    /// <summary>
    /// Lets the call <paramref name="start"/> starts run, advancing fake time past each backoff (in seconds) once its timer exists,
    /// and returns the error it ends with.
    /// </summary>
    protected async Task<RpcException> FailsAfterBackoffs(Func<Task> start, params double[] backoffSeconds)
    {
        var call = await RunBackoffs(start, backoffSeconds);
        return await Assert.CatchAsync<RpcException>(() => call.WaitAsync(Bound));
    }

    /// <summary>Starts a call and advances fake time past each of its backoffs once its timer exists.</summary>
    protected async Task<Task> RunBackoffs(Func<Task> start, params double[] backoffSeconds)
    {
        var before = Clock.TimersCreated;
        var call = start();
        for (var i = 0; i < backoffSeconds.Length; i++)
        {
            var waits = before + i + 1;
            await Until(() => Clock.TimersCreated >= waits || call.IsCompleted);
            if (call.IsCompleted)
            {
                break;
            }

            Time.Pass(TimeSpan.FromSeconds(backoffSeconds[i]));
        }

        return call;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after <see cref="Bound"/>.</summary>
    protected static async Task Until(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && started.Elapsed < Bound)
        {
            await Task.Delay(1);
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }

    protected static ProcessRequest Request() => new() { RequestId = "r1", Payload = "secret-payload" };

    /// <summary>The tag <paramref name="key"/> of a measurement.</summary>
    protected static object? Tag<T>(CollectedMeasurement<T> measurement, string key)
        where T : struct => measurement.Tags.TryGetValue(key, out var value) ? value : null;
}
