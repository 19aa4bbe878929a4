using System.Collections.Immutable;
using Grpc.Core;
using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Client.Reporting;

public sealed class StatusReporterTests
{
    [Test]
    public void Format_OneSecondOfTraffic_ShowsRateOutcomesRetriesAndBreakerState()
    {
        var failures = ImmutableSortedDictionary<StatusCode, long>.Empty
            .Add(StatusCode.Unavailable, 2)
            .Add(StatusCode.DeadlineExceeded, 1);
        var delta = new TrafficSnapshot(Calls: 20, Succeeded: 12, Rejected: 5, failures, Retries: 4, Attempts: 24, BreakerRejections: 5);

        var line = StatusReporter.Format(delta, TimeSpan.FromSeconds(2), CircuitState.Open, serverReceived: 0);

        Assert.That(line, Is.EqualTo(
            "10.0 calls/s | ok 12 | errors DEADLINE_EXCEEDED=1 UNAVAILABLE=2 | rejected 5 | retries 4 | breaker Open | server received 0"));
    }

    [Test]
    public void Format_QuietSecondWithoutServerFigure_ShowsZeroes()
    {
        var line = StatusReporter.Format(TrafficSnapshot.Empty, TimeSpan.FromSeconds(1), CircuitState.Closed, serverReceived: null);

        Assert.That(line, Is.EqualTo("0.0 calls/s | ok 0 | errors 0 | rejected 0 | retries 0 | breaker Closed"));
    }
}
