namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// Reports each attempt's real outcome to the channel's detector. It runs below grpc-dotnet's balancing handler, so it
/// sees the endpoint that was picked, and reads the status where grpc-dotnet's own call tracker does not (it completes
/// on the response headers): in the headers of a trailers-only response, or in the trailers once the body is read to
/// its end. A transport failure counts as a failure; a call the caller cancelled counts for nothing, and frees a probe.
/// </summary>
internal sealed class OutlierStatusHandler(OutlierChannel channel) : DelegatingHandler
{
    public OutlierChannel Channel { get; } = channel;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var probed = ProbeMark.Take(request);
        if (Channel.Detector is not { } detector || ProbeMark.EndpointOf(request) is not { } endpoint)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        if (probed is not null && probed != endpoint)
        {
            detector.ReleaseProbe(probed);
        }

        var outcome = new AttemptOutcome(Channel, detector, endpoint, probed == endpoint, request, cancellationToken);
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            outcome.Failed(error);
            throw;
        }

        if (!outcome.Responded(response))
        {
            response.Content = new ObservedContent(response.Content, response, outcome);
        }

        return response;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Channel.Dispose();
        }

        base.Dispose(disposing);
    }
}
