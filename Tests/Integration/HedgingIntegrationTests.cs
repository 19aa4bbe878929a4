using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// Hedging against the real chaos server with 40 % of calls hanging: a hang costs a hedge delay, not a failed call,
/// and the server sees each hedge that lost cancelled.
/// </summary>
public sealed class HedgingIntegrationTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;

    [Test]
    public async Task Process_FortyPercentHangs_EveryCallSucceedsAndTheServerSeesTheLosersAbandoned()
    {
        // Seeded, so the server's draws are the same on every run; hedges of one call arrive 50 ms apart, in order.
        // At 40 % hangs all of 5 attempts hang in 1 % of calls; all of 10, the cap, in 0.01 %: hence 10 attempts.
        await using var host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 0;
            o.HangRate = 0.4;
            o.Seed = 7;
        });
        using var channel = host.CreateChannel();
        var options = new ResilienceOptions
        {
            Hedging = new HedgingOptions
            {
                HedgedMethods = { "/unstable.v1.UnstableService/Process" },
                MaxAttempts = 10,
                Delay = TimeSpan.FromMilliseconds(50),
            },
        };
        var client = new UnstableService.UnstableServiceClient(channel.WithResilience(options));

        var failures = new List<StatusCode>();
        for (var i = 0; i < 25; i++)
        {
            try
            {
                await client.ProcessAsync(new ProcessRequest { RequestId = $"h{i}" }).ResponseAsync.WaitAsync(Bound);
            }
            catch (RpcException error)
            {
                failures.Add(error.StatusCode);
            }
        }

        var hung = host.Statistics.CallsWithOutcome(ChaosOutcome.Hang);
        Assert.That(failures, Is.Empty, $"every call succeeds; the server saw {host.Statistics}");
        Assert.That(hung, Is.GreaterThan(0), "some attempts hung");
        Assert.That(host.Statistics.TotalCalls, Is.GreaterThanOrEqualTo(25 + hung), "a hedge for every hung attempt");
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls >= hung);
    }

    [Test]
    public async Task Process_ThirtyPercentHangsTenConcurrentCallers_TheDefaultBreakerBehindHedgingNeverOpens()
    {
        // The scenario of a hedged client with the default breaker, with durations shrunk tenfold: 30 % of attempts hang
        // (500 ms), each attempt has a 200 ms deadline, 3 hedges 20 ms apart, 300 calls from 10 concurrent callers.
        // About 2.7 % of calls hang on all three hedges, so their hedges are cut by their deadlines while the other
        // callers' calls succeed: counted per hedge, five such hedges in a row opened the circuit in about half the runs.
        await using var host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 0;
            o.HangRate = 0.3;
            o.HangDuration = TimeSpan.FromMilliseconds(500);
            o.PerRequestDecisions = true;
            o.Seed = 11;
        });
        using var channel = host.CreateChannel();
        var options = new ResilienceOptions
        {
            Deadline = new DeadlineOptions { Timeout = TimeSpan.FromMilliseconds(200) },
            Hedging = new HedgingOptions
            {
                HedgedMethods = { "/unstable.v1.UnstableService/Process" },
                MaxAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(20),
            },
        };
        var openings = 0;
        var invoker = channel.WithResilience(options);
        var client = new UnstableService.UnstableServiceClient(invoker);
        var next = 0;
        var failed = 0;
        var statuses = new System.Collections.Concurrent.ConcurrentQueue<string>();

        async Task Caller()
        {
            while (Interlocked.Increment(ref next) is var n && n <= 300)
            {
                try
                {
                    await client.ProcessAsync(new ProcessRequest { RequestId = $"c{n}" }).ResponseAsync.WaitAsync(Bound);
                }
                catch (RpcException error)
                {
                    Interlocked.Increment(ref failed);
                    statuses.Enqueue($"{error.GetType().Name}/{error.StatusCode}");
                    if (error is BrokenCircuitException)
                    {
                        Interlocked.Increment(ref openings);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Caller()));

        Assert.That(openings, Is.Zero, "no call was refused by an open circuit");
        Assert.That(failed, Is.GreaterThan(0), "some calls hung on every hedge, so the breaker saw failed hedges and failed calls");
        Assert.That(failed, Is.LessThan(15), () => "only calls that hung on all three hedges failed: " + string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key} ×{g.Count()}")));
    }
}
