using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.OutlierDetection;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>Ejection, its growth and its cap, readmission through one probe, and the failure-percentage sweep, on a fake clock.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OutlierDetectorTests
{
    private const string A = "10.0.0.1:5001";
    private const string B = "10.0.0.2:5001";
    private const string C = "10.0.0.3:5001";
    private const string D = "10.0.0.4:5001";

    private readonly FakeTimeProvider time = new();
    private readonly RecordingEjectionObserver observer = new();

    [Test]
    public void Record_FiveFailuresInARow_EjectsForTheBaseTime()
    {
        using var detector = Detector();

        Fail(detector, A, 4);
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass), "four failures in a row are not enough");

        Fail(detector, A, 1);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected));
        Assert.That(detector.Admit(B), Is.EqualTo(Admission.Pass));
        Assert.That(detector.OutCount, Is.EqualTo(1));
        Assert.That(observer.Events, Is.EqualTo(new[] { $"ejected {A} ConsecutiveFailures 30s after 5" }));
    }

    [Test]
    public void Record_SuccessBetweenFailures_StartsTheCountAgain()
    {
        using var detector = Detector();

        Fail(detector, A, 4);
        detector.Record(A, success: true, probe: false);
        Fail(detector, A, 4);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass));
        Assert.That(observer.Events, Is.Empty);
    }

    [Test]
    public void Admit_EjectionOver_LetsExactlyOneOf200RacersProbe()
    {
        using var detector = Detector();
        Fail(detector, A, 5);

        time.Pass(TimeSpan.FromSeconds(29.9));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected), "still within the 30 s");

        time.Pass(TimeSpan.FromSeconds(0.1));
        var admissions = new Admission[200];
        Parallel.For(0, admissions.Length, i => admissions[i] = detector.Admit(A));

        Assert.That(admissions.Count(a => a == Admission.Probe), Is.EqualTo(1));
        Assert.That(admissions.Count(a => a == Admission.Ejected), Is.EqualTo(199));
    }

    [Test]
    public void Record_ProbeSucceeds_EndpointReturns()
    {
        using var detector = Detector();
        Fail(detector, A, 5);
        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));

        detector.Record(A, success: true, probe: true);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass));
        Assert.That(detector.OutCount, Is.Zero);
        Assert.That(observer.Events[^1], Is.EqualTo($"returned {A} after 30s"));
    }

    [Test]
    public void Record_ProbesKeepFailing_EjectionGrowsByTheBaseUpToTheMaximum()
    {
        using var detector = Detector(o => o.MaxEjectionTime = TimeSpan.FromSeconds(100));
        Fail(detector, A, 5);

        var durations = new List<double> { 30 };
        for (var i = 0; i < 4; i++)
        {
            time.Pass(TimeSpan.FromSeconds(durations[^1] - 0.1));
            Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected), $"still out just before the end of ejection {i + 1}");
            time.Pass(TimeSpan.FromSeconds(0.1));
            Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe), $"probe {i + 1}");
            detector.Record(A, success: false, probe: true);
            durations.Add(double.Parse(observer.Events[^1].Split(' ')[3].TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.That(durations, Is.EqualTo(new double[] { 30, 60, 90, 100, 100 }));
        Assert.That(observer.Events.Skip(1), Is.All.Contains("ProbeFailed"));
    }

    [Test]
    public void Sweep_HealthyIntervals_LowerTheMultiplier()
    {
        using var detector = Detector(o => o.FailurePercentageThreshold = null);
        Fail(detector, A, 5);
        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
        detector.Record(A, success: false, probe: true);
        time.Pass(TimeSpan.FromSeconds(60));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
        detector.Record(A, success: true, probe: true);

        // Two ejections in a row: the next would last 90 s. One healthy interval lowers that to 60 s...
        time.Pass(TimeSpan.FromSeconds(10));
        Fail(detector, A, 5);
        Assert.That(observer.Events[^1], Is.EqualTo($"ejected {A} ConsecutiveFailures 60s after 5"));
    }

    [Test]
    public void Record_SecondBadEndpointOfThree_IsNotEjected_AndTheCountStartsAgain()
    {
        using var detector = Detector();

        Fail(detector, A, 5);
        Fail(detector, B, 5);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected));
        Assert.That(detector.Admit(B), Is.EqualTo(Admission.Pass), "ejecting 2 of 3 would pass the 50 % cap");
        Assert.That(observer.Events, Is.EqualTo(new[]
        {
            $"ejected {A} ConsecutiveFailures 30s after 5",
            $"not enforced {B} ConsecutiveFailures after 5",
        }));

        Fail(detector, B, 4);
        Assert.That(observer.Events, Has.Count.EqualTo(2), "after an unenforced verdict the next takes five more failures");
        Fail(detector, B, 1);
        Assert.That(observer.Events, Has.Count.EqualTo(3));
    }

    [Test]
    public void Record_EveryEndpointFailing_OneIsAlwaysKept()
    {
        using var detector = Detector(o => o.MaxEjectionPercent = 100, endpoints: [A, B]);

        Fail(detector, A, 5);
        Fail(detector, B, 5);

        Assert.That(detector.OutCount, Is.EqualTo(1));
        Assert.That(detector.Admit(B), Is.EqualTo(Admission.Pass));
    }

    [Test]
    public void Sweep_FailurePercentageAboveThreshold_Ejects_WithoutFiveInARow()
    {
        using var detector = Detector(o => o.ConsecutiveFailures = null);

        // A fails 3 of every 5 (60 %), never five in a row; B and C carry the volume the rule needs to judge.
        for (var i = 0; i < 30; i++)
        {
            detector.Record(A, success: i % 5 is 1 or 3, probe: false);
            detector.Record(B, success: true, probe: false);
            detector.Record(C, success: i % 10 != 0, probe: false);
        }

        time.Pass(TimeSpan.FromSeconds(10));

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected));
        Assert.That(detector.Admit(C), Is.EqualTo(Admission.Pass), "10 % failures is under the 50 % threshold");
        Assert.That(observer.Events, Is.EqualTo(new[] { $"ejected {A} FailurePercentage 30s after 18" }));
    }

    [Test]
    public void Sweep_TooFewAttemptsOrHosts_JudgesNothing()
    {
        using var detector = Detector(o => o.ConsecutiveFailures = null);

        // 19 attempts: under the request volume of 20.
        for (var i = 0; i < 19; i++)
        {
            detector.Record(A, success: false, probe: false);
            detector.Record(B, success: true, probe: false);
        }

        time.Pass(TimeSpan.FromSeconds(10));
        Assert.That(detector.OutCount, Is.Zero);

        // Enough volume on A only: one host of the two required.
        for (var i = 0; i < 20; i++)
        {
            detector.Record(A, success: false, probe: false);
        }

        time.Pass(TimeSpan.FromSeconds(10));
        Assert.That(detector.OutCount, Is.Zero);
        Assert.That(observer.Events, Is.Empty);
    }

    [Test]
    public void Record_AttemptsInFlightWhenEjected_CountForNothing()
    {
        using var detector = Detector();
        Fail(detector, A, 5);

        detector.Record(A, success: true, probe: false);
        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
        detector.Record(A, success: true, probe: false);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected), "only the probe decides");
        Assert.That(observer.Events, Has.Count.EqualTo(1));
    }

    [Test]
    public void ReleaseProbe_ProbeWithoutVerdict_LetsTheNextPickProbe()
    {
        using var detector = Detector();
        Fail(detector, A, 5);
        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));

        detector.ReleaseProbe(A);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
    }

    [Test]
    public void Sweep_ProbeLostForAnInterval_LetsAnotherGo()
    {
        using var detector = Detector();
        Fail(detector, A, 5);
        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));

        time.Pass(TimeSpan.FromSeconds(10));

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
    }

    [Test]
    public void UpdateEndpoints_RemovedEndpoint_IsForgotten_AndUnknownOnesPass()
    {
        using var detector = Detector();
        Fail(detector, A, 5);

        detector.UpdateEndpoints([B, C]);

        Assert.That(detector.OutCount, Is.Zero);
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass));
        detector.UpdateEndpoints([A, B, C]);
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass), "a returning address starts healthy");
    }

    [Test]
    public void Admit_EjectionLongOver_StillGivesTheProbe()
    {
        using var detector = Detector();
        Fail(detector, A, 5);

        time.Advance(TimeSpan.FromSeconds(45));

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe), "not only at the instant the ejection ends");
    }

    [Test]
    public void Admit_ClockCountingNanoseconds_EjectionStillLastsTheBaseTime()
    {
        // The system clock's timestamps are not TimeSpan ticks: Stopwatch counts nanoseconds on Linux.
        using var detector = new OutlierDetector(new OutlierDetectionOptions(), new NanosecondClock(time), observer);
        detector.UpdateEndpoints([A, B, C]);
        Fail(detector, A, 5);

        time.Advance(TimeSpan.FromSeconds(29.9));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected));
        time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe));
    }

    [Test]
    public void Record_TwoOfFourEndpoints_BothEjectedAtTheFiftyPercentCap()
    {
        using var detector = Detector(endpoints: [A, B, C, D]);

        Fail(detector, A, 5);
        Fail(detector, B, 5);

        Assert.That(detector.OutCount, Is.EqualTo(2), "two of four is 50 %: at the cap, not past it");
    }

    [Test]
    public void Record_UnknownEndpoint_CountsForNothing()
    {
        // An attempt can end after the resolver dropped its address.
        using var detector = Detector();

        Fail(detector, "10.0.0.9:5001", 5);

        Assert.That(detector.OutCount, Is.Zero);
        Assert.That(observer.Events, Is.Empty);
    }

    [Test]
    public void LastAttemptFailed_AfterEjection_IsFalse_TheEjectionStartsTheCountAgain()
    {
        using var detector = Detector();

        Fail(detector, A, 5);

        Assert.That(detector.LastAttemptFailed(A), Is.False);
    }

    [Test]
    public void ReleaseProbe_HealthyOrUnknownEndpoint_ChangesNothing()
    {
        // A stale probe mark can name an endpoint that has since returned, or left the address list.
        using var detector = Detector();

        detector.ReleaseProbe(A);
        detector.ReleaseProbe("10.0.0.9:5001");

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Pass));
        Assert.That(detector.OutCount, Is.Zero);
    }

    [Test]
    public void Sweep_ExactlyTheRequestVolumeOnExactlyTheMinimumHosts_Judges()
    {
        using var detector = Detector(o => o.ConsecutiveFailures = null);

        // A and B carry 20 attempts each, the request volume, and are the two hosts the rule needs.
        for (var i = 0; i < 20; i++)
        {
            detector.Record(A, success: false, probe: false);
            detector.Record(B, success: true, probe: false);
        }

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected));
        Assert.That(detector.Admit(B), Is.EqualTo(Admission.Pass));
    }

    [Test]
    public void Sweep_FailurePercentageExactlyAtTheThreshold_DoesNotEject()
    {
        using var detector = Detector(o => o.ConsecutiveFailures = null);

        // A fails half of its 20 attempts: the rule ejects above 50 %, not at it.
        for (var i = 0; i < 20; i++)
        {
            detector.Record(A, success: i % 2 == 0, probe: false);
            detector.Record(B, success: true, probe: false);
        }

        time.Advance(TimeSpan.FromSeconds(10));

        Assert.That(detector.OutCount, Is.Zero);
        Assert.That(observer.Events, Is.Empty);
    }

    [Test]
    public void Sweep_QuietIntervalsBeforeAFirstEjection_ItLastsTheBaseTime()
    {
        using var detector = Detector();
        time.Advance(TimeSpan.FromSeconds(30));

        Fail(detector, A, 5);

        Assert.That(observer.Events, Is.EqualTo(new[] { $"ejected {A} ConsecutiveFailures 30s after 5" }));
    }

    [Test]
    public void Constructor_NullOrInvalidOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new OutlierDetector(null!, time));
        var error = Assert.Throws<ArgumentException>(() => _ = new OutlierDetector(new OutlierDetectionOptions { RequestVolume = 0 }, time));
        Assert.That(error!.Message, Does.Contain("OutlierDetectionOptions.RequestVolume is 0"));
    }

    [Test]
    public void UpdateEndpoints_Null_ThrowsArgumentNull()
    {
        using var detector = Detector();

        Assert.Throws<ArgumentNullException>(() => detector.UpdateEndpoints(null!));
    }

    [Test]
    public void Options_Defaults_AreTheDocumentedOnes_AndEveryBadSettingIsNamed()
    {
        var defaults = new OutlierDetectionOptions();
        Assert.Multiple(() =>
        {
            Assert.That(defaults.ConsecutiveFailures, Is.EqualTo(5));
            Assert.That(defaults.FailurePercentageThreshold, Is.EqualTo(50));
            Assert.That(defaults.MinimumHosts, Is.EqualTo(2));
            Assert.That(defaults.RequestVolume, Is.EqualTo(20));
            Assert.That(defaults.Interval, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(defaults.BaseEjectionTime, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(defaults.MaxEjectionTime, Is.EqualTo(TimeSpan.FromSeconds(300)));
            Assert.That(defaults.MaxEjectionPercent, Is.EqualTo(50));
            Assert.That(defaults.FailureStatusCodes, Is.EquivalentTo(new CircuitBreakerOptions().FailureStatusCodes), "the breaker's");
        });
        Assert.DoesNotThrow(defaults.Validate);

        var bad = new OutlierDetectionOptions
        {
            ConsecutiveFailures = 0,
            FailurePercentageThreshold = 101,
            MinimumHosts = 0,
            RequestVolume = 0,
            Interval = TimeSpan.Zero,
            BaseEjectionTime = TimeSpan.FromSeconds(-1),
            MaxEjectionTime = TimeSpan.FromDays(2),
            MaxEjectionPercent = 0,
            FailureStatusCodes = new HashSet<Grpc.Core.StatusCode> { Grpc.Core.StatusCode.Cancelled },
        };
        var error = Assert.Throws<ArgumentException>(bad.Validate);
        foreach (var key in new[]
        {
            "ConsecutiveFailures", "FailurePercentageThreshold", "MinimumHosts", "RequestVolume", "Interval",
            "BaseEjectionTime", "MaxEjectionTime", "MaxEjectionPercent", "FailureStatusCodes",
        })
        {
            Assert.That(error!.Message, Does.Contain("OutlierDetectionOptions." + key + " is "));
        }
    }

    private OutlierDetector Detector(Action<OutlierDetectionOptions>? configure = null, string[]? endpoints = null)
    {
        var options = new OutlierDetectionOptions();
        configure?.Invoke(options);
        var detector = new OutlierDetector(options, time, observer);
        detector.UpdateEndpoints(endpoints ?? [A, B, C]);
        return detector;
    }

    /// <summary>The fake clock's time with timestamps in nanoseconds, as <see cref="System.Diagnostics.Stopwatch"/> gives them on Linux.</summary>
    private sealed class NanosecondClock(FakeTimeProvider fake) : TimeProvider
    {
        public override long TimestampFrequency => 1_000_000_000;

        public override long GetTimestamp() => fake.GetTimestamp() * 100;

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            fake.CreateTimer(callback, state, dueTime, period);
    }

    private static void Fail(OutlierDetector detector, string endpoint, int times)
    {
        for (var i = 0; i < times; i++)
        {
            detector.Record(endpoint, success: false, probe: false);
        }
    }
}
