using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Retry;

/// <summary>A scripted network on fake time, and clients with a retry interceptor on top of it.</summary>
public abstract class RetryTestBase : ScriptedNetworkTestBase
{
    /// <summary>The clock given to the retry interceptor: the same fake time, with its backoff timers counted.</summary>
    private protected CountingTimeProvider RetryClock => Clock;

    /// <summary>Default options without jitter, so delays are exactly 1 s, 2 s, 4 s.</summary>
    protected static RetryOptions Exact() => new() { JitterFactor = 0 };

    /// <summary>Fails every attempt with <paramref name="code"/>, naming the attempt in the detail and trailers.</summary>
    private protected static Func<Arrival, CancellationToken, Task<object?>> FailNumbered(StatusCode code) =>
        (arrival, _) => Task.FromException<object?>(new RpcException(
            new Status(code, $"attempt {arrival.Number}"),
            new Metadata { { "attempt", arrival.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) } }));

    private protected UnstableService.UnstableServiceClient Client(
        RetryOptions options,
        Func<double>? random = null,
        params Interceptor[] below) =>
        new(Network.Intercept(below).Intercept(new RetryInterceptor(options, InterceptorServices.From(RetryClock, null, null), random)));

    /// <summary>Advances fake time by <paramref name="milliseconds"/>.</summary>
    protected void Advance(int milliseconds) => Time.Pass(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>
    /// Waits (without advancing time) until the retry interceptor has started backoff wait number
    /// <paramref name="waits"/>, for flows where a failure is observed on another thread.
    /// </summary>
    protected Task BackoffStarted(int waits) => Until(() => RetryClock.TimersCreated >= waits);

    /// <summary>Yields until <paramref name="condition"/> holds; fails after a bounded number of tries.</summary>
    protected static async Task Until(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && started.Elapsed < Bound)
        {
            await Task.Yield();
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }
}
