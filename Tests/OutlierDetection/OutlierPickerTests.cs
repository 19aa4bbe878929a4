using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.OutlierDetection;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>The picker's choice among the ready endpoints: round robin, around the ejected, with the probe marked.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OutlierPickerTests : IDisposable
{
    private const string A = "10.0.0.1:5001";
    private const string B = "10.0.0.2:5001";
    private const string C = "10.0.0.3:5001";
    private static readonly string[] Endpoints = [A, B, C];

    private readonly FakeTimeProvider time = new();
    private readonly OutlierDetector detector;

    public OutlierPickerTests()
    {
        detector = new OutlierDetector(new OutlierDetectionOptions(), time);
        detector.UpdateEndpoints(Endpoints);
    }

    public void Dispose() => detector.Dispose();

    [Test]
    public void Choose_AllHealthy_GoesRoundRobin()
    {
        var picks = Enumerable.Range(0, 6).Select(i => Endpoints[OutlierPicker.Choose(Endpoints, (ulong)i, detector, request: null)]);

        Assert.That(picks, Is.EqualTo(new[] { A, B, C, A, B, C }));
    }

    [Test]
    public void Choose_EjectedEndpoint_IsSkipped()
    {
        Eject(B);

        var picks = Enumerable.Range(0, 6).Select(i => Endpoints[OutlierPicker.Choose(Endpoints, (ulong)i, detector, request: null)]).ToList();

        Assert.That(picks, Has.None.EqualTo(B));
        Assert.That(picks, Is.EqualTo(new[] { A, C, C, A, A, C }));
    }

    [Test]
    public void Choose_EjectedEndpoint_ItsTurnsAreSharedEvenlyByTheOthers()
    {
        var five = new[] { A, B, C, "10.0.0.4:5001", "10.0.0.5:5001" };
        detector.UpdateEndpoints(five);
        Eject(B);

        var picks = Enumerable.Range(0, 1200).Select(i => five[OutlierPicker.Choose(five, (ulong)i, detector, request: null)]).ToList();

        Assert.That(picks, Has.None.EqualTo(B));
        Assert.That(five.Where(e => e != B).Select(e => picks.Count(p => p == e)), Is.All.EqualTo(300), "1,200 picks over the 4 left");
    }

    [Test]
    public void Choose_EjectedEndpoint_ItsTurnsGoToTheOthersInTurn()
    {
        var four = new[] { A, B, C, "10.0.0.4:5001" };
        detector.UpdateEndpoints(four);
        Eject(B);

        // B's turns are every fourth pick from the second on.
        var picks = new ulong[] { 1, 5, 9, 13, 17, 21 }.Select(start => four[OutlierPicker.Choose(four, start, detector, request: null)]);

        Assert.That(picks, Is.EqualTo(new[] { C, four[3], A, C, four[3], A }));
    }

    [Test]
    public void Choose_TwoOfThreeEjected_EveryPickGoesToTheThird()
    {
        using var lenient = new OutlierDetector(new OutlierDetectionOptions { MaxEjectionPercent = 100 }, time);
        lenient.UpdateEndpoints(Endpoints);
        for (var i = 0; i < 5; i++)
        {
            lenient.Record(A, success: false, probe: false);
            lenient.Record(B, success: false, probe: false);
        }

        var picks = Enumerable.Range(0, 6).Select(i => Endpoints[OutlierPicker.Choose(Endpoints, (ulong)i, lenient, request: null)]);

        Assert.That(picks, Is.All.EqualTo(C));
    }

    [Test]
    public void Pick_NullContext_ThrowsArgumentNull()
    {
        var picker = new OutlierPicker([], detector, pickCount: 0);

        Assert.Throws<ArgumentNullException>(() => picker.Pick(null!));
    }

    [Test]
    public void Choose_EjectionOver_MarksOneRequestAsTheProbe()
    {
        Eject(B);
        time.Pass(TimeSpan.FromSeconds(30));
        using var first = new HttpRequestMessage();
        using var second = new HttpRequestMessage();

        var probe = Endpoints[OutlierPicker.Choose(Endpoints, 1, detector, first)];
        var next = Endpoints[OutlierPicker.Choose(Endpoints, 1, detector, second)];

        Assert.That(probe, Is.EqualTo(B));
        Assert.That(ProbeMark.Take(first), Is.EqualTo(B));
        Assert.That(next, Is.EqualTo(C), "B's probe is out: the others are kept from it");
        Assert.That(ProbeMark.Take(second), Is.Null);
    }

    [Test]
    public void Choose_PickedAgain_ReleasesTheProbeOfTheEarlierPick()
    {
        Eject(B);
        time.Pass(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage();
        Assert.That(Endpoints[OutlierPicker.Choose(Endpoints, 1, detector, request)], Is.EqualTo(B));

        // grpc-dotnet picks again when the picked subchannel is no longer ready: the probe did not go, so it is free.
        var again = Endpoints[OutlierPicker.Choose(Endpoints, 1, detector, request)];

        Assert.That(again, Is.EqualTo(B));
        Assert.That(ProbeMark.Take(request), Is.EqualTo(B), "the new pick took the freed probe");
    }

    [Test]
    public void Choose_EveryEndpointRefused_StillPicks()
    {
        // The cap keeps one endpoint in; a stale picker may still list only ejected ones.
        Eject(B);
        string[] onlyEjected = [B];

        var pick = OutlierPicker.Choose(onlyEjected, 7, detector, request: null);

        Assert.That(onlyEjected[pick], Is.EqualTo(B));
    }

    [Test]
    public void Choose_Retry_AvoidsAnEndpointWhoseLastAttemptFailed()
    {
        detector.Record(A, success: false, probe: false);
        using var first = new HttpRequestMessage();
        using var retry = new HttpRequestMessage();
        retry.Headers.TryAddWithoutValidation("grpc-previous-rpc-attempts", "1");

        Assert.That(Endpoints[OutlierPicker.Choose(Endpoints, 0, detector, first)], Is.EqualTo(A), "a first attempt keeps the round robin");
        Assert.That(Endpoints[OutlierPicker.Choose(Endpoints, 0, detector, retry)], Is.EqualTo(B), "a retry leaves the endpoint that just failed");
    }

    [Test]
    public void Choose_Retry_EveryEndpointJustFailed_KeepsTheRoundRobin()
    {
        foreach (var endpoint in Endpoints)
        {
            detector.Record(endpoint, success: false, probe: false);
        }

        using var retry = new HttpRequestMessage();
        retry.Headers.TryAddWithoutValidation("grpc-previous-rpc-attempts", "2");

        Assert.That(Endpoints[OutlierPicker.Choose(Endpoints, 2, detector, retry)], Is.EqualTo(C));
    }

    private void Eject(string endpoint)
    {
        for (var i = 0; i < 5; i++)
        {
            detector.Record(endpoint, success: false, probe: false);
        }

        Assert.That(detector.Admit(endpoint), Is.EqualTo(Admission.Ejected), "setup: ejected");
    }
}
