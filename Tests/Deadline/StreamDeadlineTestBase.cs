using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>
/// The deadline interceptor over the scripted network on fake time, with a clock that counts the interceptor's live
/// timers and a log collector of its own.
/// </summary>
public abstract class StreamDeadlineTestBase
{
    protected const string Service = "unstable.v1.UnstableService";
    protected const string Subscribe = "/unstable.v1.UnstableService/Subscribe";
    protected const string Upload = "/unstable.v1.UnstableService/Upload";
    protected const string Echo = "/unstable.v1.UnstableService/Echo";
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private ServiceProvider services = null!;

    private protected FakeTimeProvider Time { get; private set; } = null!;

    /// <summary>The fake clock as the interceptors see it (the scripted network uses <see cref="Time"/> directly).</summary>
    private protected CountingTimeProvider Clock { get; private set; } = null!;

    private protected ScriptedCallInvoker Network { get; private set; } = null!;

    private protected FakeLogCollector Logs { get; private set; } = null!;

    private protected ILoggerFactory Loggers { get; private set; } = null!;

    protected DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <summary>The one call the network received.</summary>
    private protected Arrival Arrival => Network.Arrivals.Single();

    [SetUp]
    public void CreateNetwork()
    {
        services = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace))
            .BuildServiceProvider();
        Loggers = services.GetRequiredService<ILoggerFactory>();
        Logs = services.GetFakeLogCollector();
        Time = new FakeTimeProvider();
        Clock = new CountingTimeProvider(Time);
        Network = new ScriptedCallInvoker(Time);
    }

    [TearDown]
    public void DisposeLogging()
    {
        Loggers.Dispose();
        services.Dispose();
    }

    private protected DeadlineInterceptor Deadline(DeadlineOptions? options = null) =>
        new(options ?? new DeadlineOptions(), Clock, Loggers);

    /// <summary>A client over the scripted network; the first interceptor is the outermost.</summary>
    private protected UnstableService.UnstableServiceClient Client(params Interceptor[] outermostFirst) =>
        new(Network.Intercept(outermostFirst));

    private protected UnstableService.UnstableServiceClient Client(DeadlineOptions options) => Client(Deadline(options));

    protected void Advance(double seconds) => Time.Pass(TimeSpan.FromSeconds(seconds));

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

    /// <summary>The error <paramref name="operation"/> fails with, within <see cref="Bound"/>.</summary>
    protected static async Task<RpcException> Fails(Task operation)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => operation.WaitAsync(Bound));
        return error!;
    }

    /// <summary>Serves server-streaming and duplex calls with <paramref name="script"/> on the fake clock.</summary>
    private protected void Stream(Func<CancellationToken, IAsyncEnumerable<object>> script) =>
        Network.Stream = (_, token) => script(token);

    private protected void StreamTimed(Func<int, object> message, double[] delays, bool thenSilent) =>
        Network.Stream = (_, token) => StreamScripts.Timed(Time, message, delays, thenSilent, token);
}
