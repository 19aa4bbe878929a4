using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Dispose;

/// <summary>One started call of any kind, with what a caller can await, read and dispose.</summary>
internal sealed class StartedCall : IDisposable
{
    private readonly object call;

    private StartedCall(object call) => this.call = call;

    /// <summary>
    /// Starts a call of <paramref name="kind"/>. With <paramref name="completeRequests"/>, a client-streaming call
    /// completes its request stream, so its attempt waits for the server's answer.
    /// </summary>
    public static StartedCall Start(UnstableService.UnstableServiceClient client, CallKind kind, bool completeRequests)
    {
        switch (kind)
        {
            case CallKind.Unary:
                return new(client.ProcessAsync(new ProcessRequest { RequestId = "r" }));
            case CallKind.ServerStreaming:
                return new(client.Subscribe(new SubscribeRequest { Count = 1 }));
            case CallKind.ClientStreaming:
                var upload = client.Upload();
                if (completeRequests)
                {
                    var completed = upload.RequestStream.CompleteAsync();
                    Assert.That(completed.IsCompletedSuccessfully, Is.True, "the scripted request stream completes at once");
                }

                return new(upload);
            case CallKind.Duplex:
                return new(client.Echo());
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Awaits the call's outcome (its response, or its first read) and returns the error it fails with.</summary>
    public async Task<RpcException> FailureAsync()
    {
        var error = await Assert.CatchAsync<RpcException>(() => Outcome().WaitAsync(DisposeHarness.Bound));
        return error!;
    }

    public Task<Metadata> ResponseHeadersAsync => call switch
    {
        AsyncUnaryCall<ProcessReply> unary => unary.ResponseHeadersAsync,
        AsyncServerStreamingCall<Event> server => server.ResponseHeadersAsync,
        AsyncClientStreamingCall<Chunk, UploadReply> client => client.ResponseHeadersAsync,
        _ => ((AsyncDuplexStreamingCall<EchoMessage, EchoMessage>)call).ResponseHeadersAsync,
    };

    public Status GetStatus() => call switch
    {
        AsyncUnaryCall<ProcessReply> unary => unary.GetStatus(),
        AsyncServerStreamingCall<Event> server => server.GetStatus(),
        AsyncClientStreamingCall<Chunk, UploadReply> client => client.GetStatus(),
        _ => ((AsyncDuplexStreamingCall<EchoMessage, EchoMessage>)call).GetStatus(),
    };

    public Metadata GetTrailers() => call switch
    {
        AsyncUnaryCall<ProcessReply> unary => unary.GetTrailers(),
        AsyncServerStreamingCall<Event> server => server.GetTrailers(),
        AsyncClientStreamingCall<Chunk, UploadReply> client => client.GetTrailers(),
        _ => ((AsyncDuplexStreamingCall<EchoMessage, EchoMessage>)call).GetTrailers(),
    };

    /// <summary>Whether the call has its outcome, checked without observing (or making) any of its tasks.</summary>
    public bool HasEnded
    {
        get
        {
            if (call is AsyncUnaryCall<ProcessReply> unary)
            {
                return unary.ResponseAsync.IsCompleted;
            }

            if (call is AsyncClientStreamingCall<Chunk, UploadReply> client)
            {
                return client.ResponseAsync.IsCompleted;
            }

            try
            {
                _ = GetStatus();
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    public void Dispose() => ((IDisposable)call).Dispose();

    private Task Outcome() => call switch
    {
        AsyncUnaryCall<ProcessReply> unary => unary.ResponseAsync,
        AsyncServerStreamingCall<Event> server => server.ResponseStream.MoveNext(CancellationToken.None),
        AsyncClientStreamingCall<Chunk, UploadReply> client => client.ResponseAsync,
        _ => ((AsyncDuplexStreamingCall<EchoMessage, EchoMessage>)call).ResponseStream.MoveNext(CancellationToken.None),
    };
}
