using System.Diagnostics.Metrics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>
/// What a metrics backend shows of our instruments besides their values: each one's help text and unit, the buckets
/// its histograms advise, and the status tag spelled as gRPC spells it for every status code.
/// </summary>
public sealed class InstrumentShapeTests : TelemetryTestBase
{
    private static readonly string[] GrpcStatusNames =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public static IEnumerable<TestCaseData> FailureCodes() =>
        Enum.GetValues<StatusCode>()
            .Where(code => code != StatusCode.OK)
            .Select(code => new TestCaseData(code, GrpcStatusNames[(int)code]).SetName($"StatusTag_CallFailsWith{code}_TaggedAs{GrpcStatusNames[(int)code]}"));

    [Test]
    public void EveryInstrument_HasHelpTextAndUnit()
    {
        var published = PublishedInstruments();

        Assert.That(published, Has.Count.GreaterThanOrEqualTo(15), "every pattern's instruments were published");
        Assert.That(
            published.Where(i => string.IsNullOrWhiteSpace(i.Description) || string.IsNullOrWhiteSpace(i.Unit)).Select(i => i.Name),
            Is.Empty,
            "instruments a backend would show without help text or unit");
    }

    [Test]
    public void DurationHistograms_AdviseLatencyBucketsFromZeroToOneHundredSeconds()
    {
        var published = PublishedInstruments();

        foreach (var name in new[] { ResilienceTelemetry.Instruments.AttemptDuration, ResilienceTelemetry.Instruments.CallDuration })
        {
            var buckets = BucketsOf<double>(published, name);
            Assert.That(buckets, Is.Not.Null, name);
            Assert.That(buckets![0], Is.Zero, name);
            Assert.That(buckets[^1], Is.EqualTo(100), name);
            Assert.That(buckets, Is.Ordered.Ascending.And.Unique, name);
            Assert.That(buckets, Does.Contain(0.001).And.Contain(0.02).And.Contain(2.0), $"{name}: 1 ms, 20 ms and 2 s are bucket bounds");
        }
    }

    [Test]
    public void CountHistograms_AdviseOneBucketPerRetryOrHedgeUpToTen()
    {
        var published = PublishedInstruments();

        Assert.That(BucketsOf<long>(published, ResilienceTelemetry.Instruments.CallRetries), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
        Assert.That(BucketsOf<long>(published, ResilienceTelemetry.Instruments.CallHedges), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (long)i)));
    }

    [Test]
    public void RetryDelayHistogram_AdvisesBucketsFromTenMillisecondsToOverTwoMinutes()
    {
        var buckets = BucketsOf<double>(PublishedInstruments(), ResilienceTelemetry.Instruments.CallRetryDelay);

        Assert.That(buckets, Is.Not.Null);
        Assert.That(buckets![0], Is.EqualTo(0.01));
        Assert.That(buckets[^1], Is.EqualTo(128));
        Assert.That(buckets, Does.Contain(1.0).And.Contain(2.0).And.Contain(4.0), "the default backoff's delays are bucket bounds");
    }

    [TestCaseSource(nameof(FailureCodes))]
    public async Task StatusTag(StatusCode code, string expected)
    {
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        Network.Unary = ScriptedCallInvoker.FailWith(code);
        var client = Client(Deadline());

        var error = await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(code));
        await Until(() => calls.GetMeasurementSnapshot().Count == 1);
        Assert.That(Tag(calls.GetMeasurementSnapshot()[0], ResilienceTelemetry.Tags.Status), Is.EqualTo(expected));
    }

    [Test]
    public async Task StatusTag_CallSucceeds_TaggedAsOk()
    {
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        var client = Client(Deadline());

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Tag(calls.GetMeasurementSnapshot().Single(), ResilienceTelemetry.Tags.Status), Is.EqualTo("OK"));
    }

    [Test]
    public async Task StatusTag_StatusCodeBeyondTheKnownOnes_TaggedAsUnknown()
    {
        using var calls = Collect<double>(ResilienceTelemetry.Instruments.CallDuration);
        Network.Unary = ScriptedCallInvoker.FailWith((StatusCode)17);
        var client = Client(Deadline());

        var error = await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That((int)error!.StatusCode, Is.EqualTo(17));
        await Until(() => calls.GetMeasurementSnapshot().Count == 1);
        Assert.That(Tag(calls.GetMeasurementSnapshot()[0], ResilienceTelemetry.Tags.Status), Is.EqualTo("UNKNOWN"));
    }

    private static IReadOnlyList<T>? BucketsOf<T>(IEnumerable<Instrument> published, string name)
        where T : struct =>
        published.OfType<Histogram<T>>().Single(i => i.Name == name).Advice?.HistogramBucketBoundaries;

    /// <summary>The instruments of this test's meter once every pattern, the retry budget included, is built on it.</summary>
    private List<Instrument> PublishedInstruments()
    {
        _ = new ScriptedCallInvoker().WithResilience(
            new ResilienceOptions
            {
                Retry = new RetryOptions { Throttling = new RetryThrottlingOptions() },
                Hedging = new HedgingOptions { HedgedMethods = { "/" + Method } },
                AdaptiveThrottling = new AdaptiveThrottlingOptions(),
            },
            meterFactory: Meters);
        var published = new List<Instrument>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ResilienceTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, Meters))
                {
                    published.Add(instrument);
                }
            };
            listener.Start();
        }

        return published;
    }
}
