using System.Net;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.OutlierDetection;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>
/// The status handler's verdicts, read off the readmission probe of endpoint A: a success readmits it, a failure ejects
/// it again, and no verdict frees the probe for the next pick.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OutlierStatusHandlerTests : IDisposable
{
    private const string A = "10.0.0.1:5001";
    private const string B = "10.0.0.2:5001";
    private const string C = "10.0.0.3:5001";

    private readonly FakeTimeProvider time = new();
    private readonly FakeLogCollector logs = new();
    private readonly ILoggerFactory loggerFactory;
    private readonly OutlierChannel channel;
    private readonly OutlierDetector detector;

    public OutlierStatusHandlerTests()
    {
        loggerFactory = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        channel = new OutlierChannel(new OutlierDetectionOptions(), time, meterFactory: null, target: "static:///fleet");
        detector = channel.DetectorFor(loggerFactory);
        detector.UpdateEndpoints([A, B, C]);
    }

    public enum Verdict
    {
        Success,
        Failure,
        None,
    }

    public void Dispose()
    {
        channel.Dispose();
        loggerFactory.Dispose();
    }

    [Test]
    public async Task TrailersOnly_Unavailable_CountsAsFailure()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(TrailersOnly("14")));

        using var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);

        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task TrailersOnly_NotFound_IsTheClientsFault_AndCountsAsSuccess()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(TrailersOnly("5")));

        using var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);

        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Success));
    }

    [TestCase("14", Verdict.Failure)]
    [TestCase("0", Verdict.Success)]
    public async Task BodyThenTrailers_StatusIsReadAtTheEndOfTheBody(string status, Verdict expected)
    {
        using var invoker = Invoker((_, _) => Task.FromResult(WithTrailers(status)));

        using var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[3];
        Assert.That(await stream.ReadAsync(buffer), Is.EqualTo(3));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Ejected), "no verdict before the end of the body: the probe is still out");

        Assert.That(await stream.ReadAsync(buffer), Is.Zero);

        Assert.That(VerdictOnA(), Is.EqualTo(expected));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/grpc"), "the content keeps its headers");
    }

    [Test]
    public async Task BodyDisposedBeforeItsEnd_CountsForNothing()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(WithTrailers("14")));

        var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);
        var stream = await response.Content.ReadAsStreamAsync();
        Assert.That(await stream.ReadAsync(new byte[1]), Is.EqualTo(1));
        response.Dispose();

        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.None));
    }

    [Test]
    public async Task TransportFailure_CountsAsFailure()
    {
        using var invoker = Invoker((_, _) => Task.FromException<HttpResponseMessage>(new HttpRequestException("connection refused")));

        await Assert.ThrowsAsync<HttpRequestException>(() => invoker.SendAsync(ProbeRequest(), CancellationToken.None));

        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task Non200Answer_CountsAsFailure()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)));

        using var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);

        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task ResetWhileReadingTheBody_CountsAsFailure()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(Ok(new StreamContent(new FailingStream()))));

        using var response = await invoker.SendAsync(ProbeRequest(), CancellationToken.None);
        var stream = await response.Content.ReadAsStreamAsync();

        await Assert.ThrowsAsync<IOException>(async () => await stream.ReadAtLeastAsync(new byte[8], 1));
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task CallerCancellation_BeforeTheDeadline_CountsForNothing()
    {
        using var invoker = Invoker(Hang);
        using var cancellation = new CancellationTokenSource();
        var request = ProbeRequest(timeout: "5S");

        var send = invoker.SendAsync(request, cancellation.Token);
        time.Pass(TimeSpan.FromSeconds(1));
        cancellation.Cancel();

        await Assert.CatchAsync<OperationCanceledException>(() => send);
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.None));
    }

    [Test]
    public async Task CallerCancellation_HalfwayThroughAShortDeadline_CountsForNothing()
    {
        using var invoker = Invoker(Hang);
        using var cancellation = new CancellationTokenSource();

        var send = invoker.SendAsync(ProbeRequest(timeout: "100m"), cancellation.Token);
        time.Pass(TimeSpan.FromMilliseconds(50));
        cancellation.Cancel();

        await Assert.CatchAsync<OperationCanceledException>(() => send);
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.None));
    }

    [Test]
    public async Task CallerCancellation_WithoutDeadline_CountsForNothing()
    {
        using var invoker = Invoker(Hang);
        using var cancellation = new CancellationTokenSource();

        var send = invoker.SendAsync(ProbeRequest(), cancellation.Token);
        time.Pass(TimeSpan.FromMinutes(5));
        cancellation.Cancel();

        await Assert.CatchAsync<OperationCanceledException>(() => send);
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.None));
    }

    [Test]
    public async Task DeadlinePassing_WhileTheEndpointHangs_CountsAsFailure()
    {
        using var invoker = Invoker(Hang);
        using var cancellation = new CancellationTokenSource();

        // grpc-dotnet cancels the HTTP request when the call's deadline passes, as it does on the caller's cancellation.
        var send = invoker.SendAsync(ProbeRequest(timeout: "300m"), cancellation.Token);
        time.Pass(TimeSpan.FromMilliseconds(300));
        cancellation.Cancel();

        await Assert.CatchAsync<OperationCanceledException>(() => send);
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task DeadlinePassing_WhileTheBodyHangs_CountsAsFailure()
    {
        var body = new HangingStream();
        using var invoker = Invoker((_, _) => Task.FromResult(Ok(new StreamContent(body))));
        using var cancellation = new CancellationTokenSource();

        using var response = await invoker.SendAsync(ProbeRequest(timeout: "1S"), cancellation.Token);
        var stream = await response.Content.ReadAsStreamAsync();
        var read = stream.ReadAtLeastAsync(new byte[8], 1, cancellationToken: cancellation.Token).AsTask();
        time.Pass(TimeSpan.FromSeconds(1));
        cancellation.Cancel();

        await Assert.CatchAsync<OperationCanceledException>(() => read);
        Assert.That(VerdictOnA(), Is.EqualTo(Verdict.Failure));
    }

    [Test]
    public async Task Failures_EjectTheEndpointTheBalancerPicked_AndSayHowLong()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(TrailersOnly("14")));

        for (var i = 0; i < 5; i++)
        {
            using var response = await invoker.SendAsync(Request(B), CancellationToken.None);
        }

        Assert.That(detector.Admit(B), Is.EqualTo(Admission.Ejected));
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Does.Contain($"Endpoint {B} ejected for 30 s after 5 consecutive failures"));
    }

    [Test]
    public async Task ProbeMarkedForAnotherEndpoint_IsReleased()
    {
        using var invoker = Invoker((_, _) => Task.FromResult(TrailersOnly("0")));
        var request = ProbeRequest();
        request.RequestUri = new Uri($"http://{B}/unstable.UnstableService/Process");

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe), "the request went to B: A's probe is free again");
    }

    private static HttpResponseMessage TrailersOnly(string status)
    {
        var response = Ok(new ByteArrayContent([]));
        response.Headers.TryAddWithoutValidation("grpc-status", status);
        return response;
    }

    private static HttpResponseMessage WithTrailers(string status)
    {
        var response = Ok(new ByteArrayContent([0, 0, 0]));
        response.TrailingHeaders.TryAddWithoutValidation("grpc-status", status);
        return response;
    }

    private static HttpResponseMessage Ok(HttpContent content)
    {
        content.Headers.TryAddWithoutValidation("Content-Type", "application/grpc");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, Version = HttpVersion.Version20 };
    }

    private static async Task<HttpResponseMessage> Hang(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    private static HttpRequestMessage Request(string endpoint) =>
        new(HttpMethod.Post, $"http://{endpoint}/unstable.UnstableService/Process") { Version = HttpVersion.Version20 };

    private HttpMessageInvoker Invoker(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) =>
        new(new OutlierStatusHandler(channel) { InnerHandler = new FakeHttpHandler(answer) });

    /// <summary>A request to A carrying its probe, as the picker leaves it once A's first ejection is over.</summary>
    private HttpRequestMessage ProbeRequest(string? timeout = null)
    {
        for (var i = 0; i < 5; i++)
        {
            detector.Record(A, success: false, probe: false);
        }

        time.Pass(TimeSpan.FromSeconds(30));
        Assert.That(detector.Admit(A), Is.EqualTo(Admission.Probe), "setup: A's probe");
        var request = Request(A);
        ProbeMark.Set(request, A);
        if (timeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", timeout);
        }

        return request;
    }

    private Verdict VerdictOnA() => detector.Admit(A) switch
    {
        Admission.Pass => Verdict.Success,
        Admission.Probe => Verdict.None,
        _ => Verdict.Failure,
    };

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("The HTTP/2 stream was reset."));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromException<int>(new IOException("The HTTP/2 stream was reset."));
    }

    private sealed class HangingStream : MemoryStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
