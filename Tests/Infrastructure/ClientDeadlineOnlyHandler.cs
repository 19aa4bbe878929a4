namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// Makes the in-memory transport behave like a network for deadlines and cancellation:
/// <list type="bullet">
/// <item>It removes the <c>grpc-timeout</c> header so that only the client enforces deadlines. Over
/// TestServer the server's deadline timer races the client's, and when the server wins it resets the
/// stream, which the in-memory transport reports as <c>INTERNAL</c> instead of <c>DEADLINE_EXCEEDED</c>.</item>
/// <item>A cancelled send fails at once, as on a socket. TestServer would instead wait for the server to
/// answer, and the client would report the server's status instead of its own <c>DEADLINE_EXCEEDED</c>.</item>
/// </list>
/// The cancellation still reaches the server, which counts the call as abandoned.
/// </summary>
internal sealed class ClientDeadlineOnlyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private const string TimeoutHeader = "grpc-timeout";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(TimeoutHeader);
        var send = base.SendAsync(request, cancellationToken);
        try
        {
            return await send.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Nobody reads the late answer; release it when it comes.
            _ = send.ContinueWith(
                static t => t.Result.Dispose(),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion,
                TaskScheduler.Default);
            throw;
        }
    }
}
