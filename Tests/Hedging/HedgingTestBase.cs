using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>A scripted network on fake time, and clients with a hedging interceptor on top of it.</summary>
public abstract class HedgingTestBase : ScriptedNetworkTestBase
{
    /// <summary>Hedging on Process with the defaults: 3 attempts, 200 ms apart.</summary>
    protected static HedgingOptions OnProcess() => new() { HedgedMethods = { Process } };

    private protected UnstableService.UnstableServiceClient Client(HedgingOptions options, params Interceptor[] below) =>
        new(Network.Intercept(below).Intercept(new HedgingInterceptor(options, Clock)));

    /// <summary>Advances fake time by <paramref name="milliseconds"/>.</summary>
    protected void Advance(int milliseconds) => Time.Pass(TimeSpan.FromMilliseconds(milliseconds));

    /// <summary>A responder: attempts whose number is in <paramref name="hanging"/> hang until cancelled; the others answer with their number.</summary>
    private protected static Func<Arrival, CancellationToken, Task<object?>> HangThenAnswer(params int[] hanging) =>
        async (arrival, token) =>
        {
            if (hanging.Contains(arrival.Number))
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return new ProcessReply { Result = $"attempt {arrival.Number}" };
        };

    /// <summary>A failure with <paramref name="code"/> naming the attempt, with a pushback trailer when <paramref name="pushback"/> is given.</summary>
    private protected static Task<object?> Failure(Arrival arrival, StatusCode code, string? pushback = null)
    {
        var trailers = new Metadata { { "attempt", arrival.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (pushback is not null)
        {
            trailers.Add("grpc-retry-pushback-ms", pushback);
        }

        return Task.FromException<object?>(new RpcException(new Status(code, $"attempt {arrival.Number}"), trailers));
    }

    /// <summary>
    /// Waits (without moving time) until the hedging interceptor has armed hedge timer number <paramref name="timers"/>,
    /// so that advancing time then passes it: the loop may arm it on another thread after the previous hedge left.
    /// </summary>
    protected Task TimerArmed(int timers) => Until(() => Clock.TimersCreated >= timers);

    /// <summary>Yields until <paramref name="condition"/> holds; fails after a bounded time.</summary>
    protected static async Task Until(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && started.Elapsed < Bound)
        {
            await Task.Delay(1);
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }
}
