using System.Globalization;
using System.Net.Http.Headers;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// One attempt's verdict for its endpoint, given once: a gRPC status from the response headers (trailers-only) or the
/// trailers, a transport failure, or nothing at all when the caller cancelled. Cancellation is the caller's unless the
/// attempt's deadline (its <c>grpc-timeout</c> from the send) had passed: grpc-dotnet cancels the HTTP request the same
/// way for both, and an endpoint that outlived the deadline failed.
/// </summary>
internal sealed class AttemptOutcome
{
    /// <summary>
    /// How much earlier than the deadline a cancellation may come and still count as the deadline's (the header was set
    /// before the pick, and is rounded): a tenth of the timeout, at most this.
    /// </summary>
    internal static readonly TimeSpan MaxDeadlineSlack = TimeSpan.FromMilliseconds(100);

    private const string StatusHeader = "grpc-status";
    private const string TimeoutHeader = "grpc-timeout";

    private readonly OutlierChannel channel;
    private readonly OutlierDetector detector;
    private readonly string endpoint;
    private readonly bool probe;
    private readonly long sent;
    private readonly TimeSpan? timeout;
    private int decided;

    public AttemptOutcome(OutlierChannel channel, OutlierDetector detector, string endpoint, bool probe, HttpRequestMessage request, CancellationToken cancellation)
    {
        this.channel = channel;
        this.detector = detector;
        this.endpoint = endpoint;
        this.probe = probe;
        Cancellation = cancellation;
        sent = channel.Time.GetTimestamp();
        timeout = TimeoutOf(request.Headers);
    }

    /// <summary>The token grpc-dotnet cancels the attempt's HTTP request with, on the caller's cancellation or the deadline.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The response arrived: a trailers-only status or a non-200 answer decides now; otherwise returns false and the trailers will.</summary>
    public bool Responded(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            Record(success: false);
            return true;
        }

        if (StatusOf(response.Headers) is { } status)
        {
            Record(!channel.IsFailure(status));
            return true;
        }

        return false;
    }

    /// <summary>The body was read to its end: the trailers hold the status (none is <c>INTERNAL</c> to grpc-dotnet: a failure).</summary>
    public void Ended(HttpResponseMessage response) =>
        Record(StatusOf(response.TrailingHeaders) is { } status ? !channel.IsFailure(status) : false);

    /// <summary>The send or the read threw.</summary>
    public void Failed(Exception error)
    {
        if (error is OperationCanceledException || Cancellation.IsCancellationRequested)
        {
            Cancelled();
        }
        else
        {
            Record(success: false);
        }
    }

    /// <summary>The response was disposed before its end: a failure if its deadline had passed, else nothing.</summary>
    public void Abandoned() => Cancelled();

    private static StatusCode? StatusOf(HttpHeaders headers) =>
        headers.TryGetValues(StatusHeader, out var values)
            && values.FirstOrDefault() is { } text
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code)
            ? (StatusCode)code
            : null;

    /// <summary>The gRPC <c>grpc-timeout</c> header (<c>TimeoutValue TimeoutUnit</c>, at most 8 digits), or null.</summary>
    internal static TimeSpan? TimeoutOf(HttpRequestHeaders headers)
    {
        if (!headers.TryGetValues(TimeoutHeader, out var values) || values.FirstOrDefault() is not { Length: >= 2 and <= 9 } text
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return text[^1] switch
        {
            'H' => TimeSpan.FromHours(value),
            'M' => TimeSpan.FromMinutes(value),
            'S' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMilliseconds(value),
            'u' => TimeSpan.FromMicroseconds(value),
            'n' => TimeSpan.FromTicks(value / 100),
            _ => null,
        };
    }

    private void Cancelled()
    {
        if (DeadlinePassed())
        {
            Record(success: false);
        }
        else
        {
            Release();
        }
    }

    private bool DeadlinePassed() =>
        timeout is { } limit && channel.Time.GetElapsedTime(sent) >= limit - TimeSpan.FromTicks(Math.Min(limit.Ticks / 10, MaxDeadlineSlack.Ticks));

    private void Record(bool success)
    {
        if (Interlocked.Exchange(ref decided, 1) == 0)
        {
            detector.Record(endpoint, success, probe);
        }
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref decided, 1) == 0 && probe)
        {
            detector.ReleaseProbe(endpoint);
        }
    }
}
