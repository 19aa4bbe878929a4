using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>What recording a call leaves of it: the caller's write flags, the target it is tagged with, and each attempt's own duration.</summary>
public sealed class RecordedCallTests : TelemetryTestBase
{
    [Test]
    public async Task CallerWriteFlags_ReachTheNetworkUnchanged()
    {
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        var client = Client(Retry(), Breaker(), Deadline());

        await client.ProcessAsync(Request(), new CallOptions(writeOptions: new WriteOptions(WriteFlags.NoCompress))).ResponseAsync.WaitAsync(Bound);

        Assert.That(calls.GetMeasurementSnapshot(), Has.Count.EqualTo(1), "the call was recorded");
        Assert.That(Network.Arrivals.Single().Options.WriteOptions?.Flags, Is.EqualTo(WriteFlags.NoCompress));
    }

    [Test]
    public async Task NeitherTargetNorHost_TaggedUnknown()
    {
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        var client = Client(new DeadlineInterceptor(new DeadlineOptions(), InterceptorServices.From(Clock, loggerFactory: null, Meters, target: null)));

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Tag(calls.GetMeasurementSnapshot().Single(), ResilienceTelemetry.Tags.Target), Is.EqualTo("unknown"));
    }

    [Test]
    public async Task RetriedCall_EachAttemptTimedFromItsOwnStart_TheCallFromTheFirst()
    {
        using var attempts = Collect<double>(ResilienceTelemetry.Instruments.AttemptDuration);
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Retry(), Deadline());

        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(attempts.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(new[] { 0.0, 0.0, 0.0 }), "each attempt failed at once; the backoff is not its time");
        Assert.That(calls.GetMeasurementSnapshot().Single().Value, Is.EqualTo(3.0), "the call waited 1 s and 2 s between its attempts");
    }
}
