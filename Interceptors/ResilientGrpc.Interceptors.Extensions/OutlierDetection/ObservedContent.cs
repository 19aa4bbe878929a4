using System.Net;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// A response's content as it was, whose read stream tells <see cref="AttemptOutcome"/> when the body ends (then the
/// trailers are in), fails, or is disposed before its end. Nothing is buffered.
/// </summary>
internal sealed class ObservedContent : HttpContent
{
    private readonly HttpContent inner;
    private readonly HttpResponseMessage response;
    private readonly AttemptOutcome outcome;

    public ObservedContent(HttpContent inner, HttpResponseMessage response, AttemptOutcome outcome)
    {
        this.inner = inner;
        this.response = response;
        this.outcome = outcome;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new ObservedStream(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), response, outcome);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new ObservedStream(inner.ReadAsStream(cancellationToken), response, outcome);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await inner.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            outcome.Failed(error);
            throw;
        }

        outcome.Ended(response);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            outcome.Abandoned();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
