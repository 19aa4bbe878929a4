using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Dispose;

/// <summary>
/// Many calls of one kind through chosen layers on a scripted network and fake time, with telemetry on (a logger
/// enabled at Warning, a listener on every instrument of the meter) or off (no logger, no listener). The calls are
/// held only by the harness, so once disposed and released nothing keeps their tasks alive. Every error the
/// network scripts carries <see cref="Marker"/>, and so does the breaker's name.
/// </summary>
internal sealed class DisposeHarness : IDisposable
{
    public const int Calls = 200;
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly ServiceProvider? services;
    private readonly MeterListener? listener;
    private List<StartedCall>? started;
    private long measurements;
    private int answering;

    public DisposeHarness(bool telemetry)
    {
        Time = new FakeTimeProvider();
        Clock = new CountingTimeProvider(Time);
        Network = new ScriptedCallInvoker(Time);
        if (!telemetry)
        {
            return;
        }

        services = new ServiceCollection()
            .AddMetrics()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Warning))
            .BuildServiceProvider();
        Loggers = services.GetRequiredService<ILoggerFactory>();
        Meters = services.GetRequiredService<IMeterFactory>();
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == ResilienceTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, _, state) => ((DisposeHarness)state!).Measured());
        listener.SetMeasurementEventCallback<double>(static (_, _, _, state) => ((DisposeHarness)state!).Measured());
        listener.SetMeasurementEventCallback<int>(static (_, _, _, state) => ((DisposeHarness)state!).Measured());
        listener.Start();
    }

    /// <summary>Names this harness's errors, so a recorder counts only them.</summary>
    public string Marker { get; } = $"dispose-marker-{Guid.NewGuid():N}";

    public FakeTimeProvider Time { get; }

    /// <summary>The clock the interceptors get: the fake time, counting backoff timers.</summary>
    public CountingTimeProvider Clock { get; }

    public ScriptedCallInvoker Network { get; }

    public ILoggerFactory? Loggers { get; }

    public IMeterFactory? Meters { get; }

    /// <summary>The breaker of <see cref="Layers.Breaker"/>, once a client was made with it.</summary>
    public CircuitBreakerInterceptor? Breaker { get; private set; }

    /// <summary>How many attempts the hanging network is answering (never), so far.</summary>
    public int Answering => Volatile.Read(ref answering);

    /// <summary>Measurements recorded on the meter so far (0 with telemetry off).</summary>
    public long Measurements => Interlocked.Read(ref measurements);

    /// <summary>The error the network fails an attempt with: UNAVAILABLE, the marker in its detail and a trailer.</summary>
    public RpcException Unavailable() => new(
        new Status(StatusCode.Unavailable, $"scripted Unavailable {Marker}"),
        new Metadata { { UnobservedTaskRecorder.MarkerTrailer, Marker } });

    /// <summary>
    /// A client through <paramref name="layers"/>, below <paramref name="above"/> if given; the breaker is named after
    /// the marker.
    /// </summary>
    public UnstableService.UnstableServiceClient Client(Layers layers, int failureThreshold = 5, Interceptor? above = null)
    {
        var breaker = new CircuitBreakerOptions { Name = Marker, FailureThreshold = failureThreshold };
        CallInvoker invoker = layers switch
        {
            Layers.Stack => Network.WithResilience(new ResilienceOptions { CircuitBreaker = breaker }, Clock, Loggers, Meters),
            Layers.Retry => Network.Intercept(new RetryInterceptor(new RetryOptions(), Clock, Loggers, Meters)),
            Layers.Breaker => Network.Intercept(Breaker = new CircuitBreakerInterceptor(breaker, Clock, Loggers, Meters)),
            Layers.Deadline => Network.Intercept(new DeadlineInterceptor(new DeadlineOptions(), Clock, Loggers, Meters)),
            Layers.Hedging => Network.Intercept(
                new HedgingInterceptor(new HedgingOptions { HedgedMethods = { "unstable.v1.UnstableService" } }, Clock, Loggers, Meters)),
            _ => throw new ArgumentOutOfRangeException(nameof(layers)),
        };
        return new UnstableService.UnstableServiceClient(above is null ? invoker : invoker.Intercept(above));
    }

    /// <summary>The network never answers; a call it sees cancelled fails with CANCELLED and the marker.</summary>
    public void Hang()
    {
        Network.Unary = async (_, token) =>
        {
            await HangAsync(token);
            return null;
        };
        Network.Stream = (_, token) => HangingStream(token);
    }

    /// <summary>The network fails every attempt at once with <see cref="Unavailable"/>.</summary>
    public void FailEveryAttempt()
    {
        Network.Unary = (_, _) => Task.FromException<object?>(Unavailable());
        Network.Stream = (_, _) => FailingStream(Unavailable());
    }

    /// <summary>
    /// Starts <see cref="Calls"/> calls of <paramref name="kind"/> and keeps them here only. A client-streaming call
    /// in flight has completed its request stream, so its attempt waits for the server's answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Start(UnstableService.UnstableServiceClient client, CallKind kind, bool completeRequests)
    {
        started = new List<StartedCall>(Calls);
        for (var i = 0; i < Calls; i++)
        {
            started.Add(StartedCall.Start(client, kind, completeRequests));
        }
    }

    /// <summary>
    /// Disposes every started call without awaiting anything of it, waits (with <paramref name="untilEnded"/>) until
    /// each has its outcome, since some end on the thread pool, then forgets them all.
    /// </summary>
    public async Task DisposeAllAsync(bool untilEnded)
    {
        DisposeEach();
        if (untilEnded)
        {
            await Until(() => started!.TrueForAll(static call => call.HasEnded));
        }

        started = null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails after <see cref="Bound"/>.</summary>
    public static async Task Until(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && waited.Elapsed < Bound)
        {
            await Task.Delay(1);
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }

    public void Dispose()
    {
        listener?.Dispose();
        services?.Dispose();
    }

    private void DisposeEach()
    {
        foreach (var call in started!)
        {
            call.Dispose();
        }
    }

    private async Task HangAsync(CancellationToken token)
    {
        Interlocked.Increment(ref answering);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
        catch (OperationCanceledException)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, $"scripted Cancelled {Marker}"));
        }
    }

    private async IAsyncEnumerable<object> HangingStream([EnumeratorCancellation] CancellationToken token)
    {
        await HangAsync(token);
        yield break;
    }

    private static async IAsyncEnumerable<object> FailingStream(RpcException error)
    {
        yield return await Task.FromException<object>(error);
    }

    private void Measured() => Interlocked.Increment(ref measurements);
}
