using System.Collections.Immutable;
using Grpc.Core;
using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Tests.Client.Reporting;

/// <summary>The summary's cross-checks: the caller, the library's metrics and the server must agree.</summary>
public sealed class SummaryAccountingTests
{
    [Test]
    public void Check_TheOutageOfTheDemo_IsConsistent()
    {
        // One call gives up after 3 attempts; the next fails twice, opens the breaker and its third attempt is
        // rejected; 9 more calls are rejected; the probe fails and its retry is rejected.
        var outage = Phase("outage", calls: 12, ok: 0, rejected: 11, unavailable: 1, retries: 5, serverReceived: 6);

        Assert.Multiple(() =>
        {
            Assert.That(outage.ExpectedAtServer, Is.EqualTo(6));
            Assert.That(SummaryAccounting.Check([outage]), Is.Empty);
        });
    }

    [Test]
    public void Check_ServerReceivedMoreThanTheClientSent_IsReported()
    {
        var phase = Phase("flaky", calls: 16, ok: 15, rejected: 0, unavailable: 1, retries: 8, serverReceived: 25);

        Assert.That(SummaryAccounting.Check([phase]), Is.EqualTo(new[]
        {
            "flaky: calls + retries + hedges - rejected = 24 attempts sent, but the server received 25",
        }));
    }

    [Test]
    public void Check_MetricsDisagreeWithTheCaller_IsReported()
    {
        var traffic = Traffic(calls: 4, ok: 2, rejected: 2, unavailable: 0, retries: 0) with { Attempts = 3, BreakerRejections = 1 };
        var phase = new PhaseSummary("outage", traffic, ServerReceived: 2, TimeSpan.FromSeconds(1));

        Assert.That(SummaryAccounting.Check([phase]), Is.EqualTo(new[]
        {
            "outage: the library started 3 attempts, but calls + retries + hedges - rejected = 2",
            "outage: the breaker reported 1 rejections, the caller saw 2",
        }));
    }

    [Test]
    public void Check_HedgedPhase_EveryHedgeReachesTheServer()
    {
        // 8 calls, 3 of them answered by a second copy: 11 attempts at the server.
        var traffic = Traffic(calls: 8, ok: 8, rejected: 0, unavailable: 0, retries: 0) with { Attempts = 11, Hedges = 3, HedgesCancelled = 3 };
        var phase = new PhaseSummary("hanging, hedged", traffic, ServerReceived: 11, TimeSpan.FromSeconds(1));

        Assert.Multiple(() =>
        {
            Assert.That(phase.ExpectedAtServer, Is.EqualTo(11));
            Assert.That(SummaryAccounting.Check([phase]), Is.Empty);
            Assert.That(
                SummaryAccounting.Check([phase with { Traffic = traffic with { Hedges = 2 } }]),
                Has.Some.EqualTo("hanging, hedged: calls + retries + hedges - rejected = 10 attempts sent, but the server received 11"));
        });
    }

    [Test]
    public void Check_OutcomesDoNotAddUpToCalls_IsReported()
    {
        var traffic = Traffic(calls: 5, ok: 3, rejected: 0, unavailable: 1, retries: 0);
        var phase = new PhaseSummary("healthy", traffic, ServerReceived: 5, TimeSpan.FromSeconds(1));

        Assert.That(SummaryAccounting.Check([phase]), Has.Some.Contains("ok 3 + rejected 0 + failed 1 != calls 5"));
    }

    internal static PhaseSummary Phase(string name, long calls, long ok, long rejected, long unavailable, long retries, long serverReceived) =>
        new(name, Traffic(calls, ok, rejected, unavailable, retries), serverReceived, TimeSpan.FromSeconds(1));

    internal static TrafficSnapshot Traffic(long calls, long ok, long rejected, long unavailable, long retries)
    {
        var failures = unavailable == 0
            ? ImmutableSortedDictionary<StatusCode, long>.Empty
            : ImmutableSortedDictionary<StatusCode, long>.Empty.Add(StatusCode.Unavailable, unavailable);
        return new TrafficSnapshot(calls, ok, rejected, failures, retries, calls + retries - rejected, rejected);
    }
}
