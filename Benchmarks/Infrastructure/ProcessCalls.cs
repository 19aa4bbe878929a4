using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>The <c>Process</c> calls every load run makes: the warm-up, and one timed call of the load.</summary>
internal static class ProcessCalls
{
    /// <summary>Turns chaos off on every one of <paramref name="servers"/> and makes 20 calls through <paramref name="process"/>, ignoring their outcome.</summary>
    public static async Task WarmUpAsync(Func<ProcessRequest, AsyncUnaryCall<ProcessReply>> process, params IEnumerable<BenchmarkServer> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(process);
        foreach (var server in servers)
        {
            server.Controller.Apply(new ChaosOptions { Enabled = false });
        }

        for (var i = 0; i < 20; i++)
        {
            using var call = process(new ProcessRequest { RequestId = "warm-up", Payload = "x" });
            try
            {
                _ = await call.ResponseAsync.ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // A first call (connection, JIT) may outlive a short deadline: warming up is all that counts.
            }
        }
    }

    /// <summary>
    /// Makes call <paramref name="ordinal"/> of the load through <paramref name="process"/> and records when it started
    /// and ended on <paramref name="clock"/>, the status its caller saw, and whether <paramref name="isLocalRejection"/>
    /// calls its failure a breaker's refusal.
    /// </summary>
    public static async Task<CallRecord> TimeAsync(
        Stopwatch clock, long ordinal, Func<ProcessRequest, AsyncUnaryCall<ProcessReply>> process, Func<RpcException, bool> isLocalRejection)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(isLocalRejection);
        var start = clock.Elapsed;
        var status = StatusCode.OK;
        var local = false;
        try
        {
            using var call = process(new ProcessRequest { RequestId = ordinal.ToString(CultureInfo.InvariantCulture), Payload = "chaos" });
            _ = await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException error)
        {
            status = error.StatusCode;
            local = isLocalRejection(error);
        }

        return new CallRecord(start, clock.Elapsed, status, local);
    }
}
