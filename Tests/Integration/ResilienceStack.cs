using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// The three interceptors stacked exactly as users do, with their default options, on a real channel to an in-process
/// chaos server. Retry backoffs and the breaker's break run on one fake clock, so they take no real time.
/// </summary>
/// <remarks>
/// The deadline interceptor keeps the real clock: it only computes an instant, and the real channel enforces that
/// instant on the real clock, so a fake clock that has been moved forward would push every deadline into the (real)
/// future. The fake clock starts at the real time all the same.
/// </remarks>
internal sealed class ResilienceStack : IDisposable
{
    private readonly GrpcChannel channel;
    private int backoffsAdvanced;

    public ResilienceStack(ChaosServerHost host, RetryOptions? retry = null)
    {
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        RetryClock = new CountingTimeProvider(Time);
        Retry = new RetryInterceptor(retry ?? new RetryOptions(), RetryClock);
        Breaker = new CircuitBreakerInterceptor(new CircuitBreakerOptions(), Time);
        Deadline = new DeadlineInterceptor(new DeadlineOptions(), TimeProvider.System);
        channel = host.CreateChannel();
        Client = new UnstableService.UnstableServiceClient(channel.Intercept(Retry, Breaker, Deadline));
    }

    /// <summary>The clock of the retry interceptor and the circuit breaker.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The same clock as the retry interceptor sees it: each backoff wait creates one timer.</summary>
    public CountingTimeProvider RetryClock { get; }

    public RetryInterceptor Retry { get; }

    public CircuitBreakerInterceptor Breaker { get; }

    public DeadlineInterceptor Deadline { get; }

    public UnstableService.UnstableServiceClient Client { get; }

    /// <summary>The defaults, except no jitter, so the backoff delays are exactly 1 s, 2 s, 4 s.</summary>
    public static RetryOptions DefaultsWithoutJitter() => new() { JitterFactor = 0 };

    /// <summary>Waits (without moving time) until the retry interceptor has started its <paramref name="count"/>-th backoff wait.</summary>
    public Task BackoffStarted(int count) => Until(() => RetryClock.TimersCreated >= count, $"backoff wait #{count} to start");

    /// <summary>
    /// Waits for the next backoff wait of the retry interceptor, checks nothing has happened before
    /// <paramref name="delay"/>, then moves time by exactly <paramref name="delay"/>.
    /// </summary>
    public async Task AdvanceNextBackoff(TimeSpan delay)
    {
        await BackoffStarted(++backoffsAdvanced);
        Time.Pass(delay);
    }

    /// <summary>
    /// Completes <paramref name="call"/> by moving time past every backoff wait it starts (by <paramref name="step"/>
    /// each, at least the longest possible delay), however many there are.
    /// </summary>
    public async Task<T> Drive<T>(Task<T> call, TimeSpan step)
    {
        using var timeout = new CancellationTokenSource(ChaosServerHost.DefaultTimeout);
        while (!call.IsCompleted)
        {
            if (RetryClock.TimersCreated > backoffsAdvanced)
            {
                backoffsAdvanced++;
                Time.Pass(step);
                continue;
            }

            timeout.Token.ThrowIfCancellationRequested();
            await Task.WhenAny(call, Task.Delay(TimeSpan.FromMilliseconds(5), CancellationToken.None));
        }

        return await call;
    }

    /// <summary>Polls <paramref name="condition"/> (no sleeping, no moving time) for at most the default timeout.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > ChaosServerHost.DefaultTimeout)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(2), CancellationToken.None);
        }
    }

    public void Dispose() => channel.Dispose();
}
