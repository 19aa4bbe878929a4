using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.OutlierDetection;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>The A91 ejection counters with their tags, the gauge of endpoints out, and the log lines.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OutlierDetectionTelemetryTests : IDisposable
{
    private const string Target = "dns:///fleet.local:5001";
    private const string A = "127.0.0.1:5001";
    private const string B = "127.0.0.1:5002";
    private const string C = "127.0.0.1:5003";

    private readonly ServiceProvider services;
    private readonly FakeTimeProvider time = new();
    private readonly OutlierChannel channel;
    private readonly OutlierDetector detector;

    public OutlierDetectionTelemetryTests()
    {
        services = new ServiceCollection()
            .AddMetrics()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Information))
            .BuildServiceProvider();
        channel = new OutlierChannel(new OutlierDetectionOptions(), time, services.GetRequiredService<IMeterFactory>(), Target);
        detector = channel.DetectorFor(services.GetRequiredService<ILoggerFactory>());
        detector.UpdateEndpoints([A, B, C]);
    }

    private FakeLogCollector Logs => services.GetFakeLogCollector();

    public void Dispose()
    {
        channel.Dispose();
        services.Dispose();
    }

    [Test]
    public void Ejection_CountsEnforced_WithTargetAndDetectionMethod_AndLogs()
    {
        using var enforced = Collect<long>(ResilienceTelemetry.Instruments.EjectionsEnforced);

        Fail(B, 5);

        var measurement = enforced.GetMeasurementSnapshot().Single();
        Assert.That(measurement.Value, Is.EqualTo(1));
        Assert.That(measurement.Tags, Is.EquivalentTo(new Dictionary<string, object?>
        {
            ["grpc.target"] = Target,
            ["grpc.lb.outlier_detection.detection_method"] = "consecutive_failures",
        }));
        Assert.That(Logs.LatestRecord.Message, Is.EqualTo($"Endpoint {B} ejected for 30 s after 5 consecutive failures"));
        Assert.That(Logs.LatestRecord.Category, Is.EqualTo("ResilientGrpc.OutlierDetection"));
    }

    [Test]
    public void CapReached_CountsUnenforced_WithItsReason_AndLogs()
    {
        using var unenforced = Collect<long>(ResilienceTelemetry.Instruments.EjectionsUnenforced);
        Fail(B, 5);

        Fail(C, 5);

        var measurement = unenforced.GetMeasurementSnapshot().Single();
        Assert.That(measurement.Tags["grpc.lb.outlier_detection.detection_method"], Is.EqualTo("consecutive_failures"));
        Assert.That(measurement.Tags["grpc.lb.outlier_detection.unenforced_reason"], Is.EqualTo("max_ejection_overflow"));
        Assert.That(Logs.LatestRecord.Message, Is.EqualTo($"Endpoint {C} not ejected: 1 of 3 endpoints are out already"));
    }

    [Test]
    public void Gauge_ReportsTheEndpointsOutNow_AndReturnIsLogged()
    {
        using var ejected = Collect<int>(ResilienceTelemetry.Instruments.Ejected);
        Assert.That(Read(ejected), Is.Zero);

        Fail(A, 5);
        Assert.That(Read(ejected), Is.EqualTo(1));
        Assert.That(ejected.LastMeasurement!.Tags["grpc.target"], Is.EqualTo(Target));

        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
        detector.Record(A, success: true, probe: true);

        Assert.That(Read(ejected), Is.Zero);
        Assert.That(Logs.LatestRecord.Message, Is.EqualTo($"Endpoint {A} returned after 30 s"));
    }

    private static int Read(MetricCollector<int> gauge)
    {
        gauge.Clear();
        gauge.RecordObservableInstruments();
        return gauge.GetMeasurementSnapshot().Single().Value;
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(services.GetRequiredService<IMeterFactory>(), ResilienceTelemetry.MeterName, instrument);

    private void Fail(string endpoint, int times)
    {
        for (var i = 0; i < times; i++)
        {
            detector.Record(endpoint, success: false, probe: false);
        }
    }
}
