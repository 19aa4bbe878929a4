using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>1,000 callers racing for a concurrency limit: the server never sees more attempts at once than the limit.</summary>
public sealed class ConcurrencyLimitRaceTests
{
    private const int Racers = 1000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    [Repeat(5)]
    public async Task ThousandRacers_HeldCalls_ExactlyTheLimitReachesTheServer()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new ScriptedCallInvoker(TimeProvider.System)
        {
            Unary = async (_, token) =>
            {
                await release.Task.WaitAsync(token);
                return null;
            },
        };
        var limit = new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 10, MaxQueueWait = TimeSpan.Zero });
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));

        var calls = await RaceAsync(() => client.ProcessAsync(new ProcessRequest()));
        var refused = calls.Count(c => c.ResponseAsync.IsFaulted);

        Assert.That(server.Count, Is.EqualTo(10));
        Assert.That(refused, Is.EqualTo(Racers - 10));
        release.SetResult();
        await Task.WhenAll(calls.Select(c => c.ResponseAsync.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(Bound);
        Assert.That(limit.InFlight, Is.Zero);
    }

    [TestCase(ConcurrencyLimitAlgorithm.Fixed)]
    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    public async Task ThousandRacers_CallsEndingWhileOthersStart_ServerNeverSeesMoreThanTheMostTheLimitAllows(ConcurrencyLimitAlgorithm algorithm)
    {
        var inServer = 0;
        var mostInServer = 0;
        var server = new ScriptedCallInvoker(TimeProvider.System)
        {
            Unary = async (arrival, _) =>
            {
                var now = Interlocked.Increment(ref inServer);
                InterlockedMax(ref mostInServer, now);
                await Task.Yield();
                Interlocked.Decrement(ref inServer);
                if (arrival.Number % 4 == 0)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "shed"));
                }

                return null;
            },
        };
        var limit = new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions { Algorithm = algorithm, InitialLimit = 8, MaxLimit = 8 });
        var client = new UnstableService.UnstableServiceClient(server.Intercept(limit));

        for (var wave = 0; wave < 5; wave++)
        {
            var calls = await RaceAsync(() => client.ProcessAsync(new ProcessRequest()));
            await Task.WhenAll(calls.Select(c => c.ResponseAsync.ContinueWith(static _ => { }, TaskScheduler.Default))).WaitAsync(Bound);
        }

        Assert.That(mostInServer, Is.InRange(1, 8));
        Assert.That(limit.InFlight, Is.Zero);
    }

    private static async Task<AsyncUnaryCall<ProcessReply>[]> RaceAsync(Func<AsyncUnaryCall<ProcessReply>> start)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, Racers).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return start();
        })).ToArray();
        go.SetResult();
        return await Task.WhenAll(racers).WaitAsync(Bound);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var seen = Volatile.Read(ref target); value > seen; seen = Volatile.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
