using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Server.Services;

/// <summary>
/// The real implementation of the four RPCs of <c>unstable.v1.UnstableService</c>, each run through
/// chaos first (decided once, at the start of the call, for streams too).
/// </summary>
internal sealed class UnstableService(ChaosCallGate gate, TimeProvider timeProvider) : Protos.UnstableService.UnstableServiceBase
{
    /// <summary>The largest <c>count</c> a <c>Subscribe</c> call may ask for.</summary>
    public const int MaxSubscribeCount = 1000;

    /// <summary>The longest <c>interval_ms</c> between two <c>Subscribe</c> events, in milliseconds.</summary>
    public const int MaxSubscribeIntervalMs = 10_000;

    /// <summary>The longest <c>request_id</c> accepted, in characters.</summary>
    public const int MaxRequestIdLength = 128;

    /// <summary>The longest <c>payload</c> or echo <c>text</c> accepted, in characters.</summary>
    public const int MaxTextLength = 64 * 1024;

    public override Task<ProcessReply> Process(ProcessRequest request, ServerCallContext context) =>
        gate.RunAsync(context, request.RequestId, () =>
        {
            if (string.IsNullOrEmpty(request.RequestId) || request.RequestId.Length > MaxRequestIdLength)
            {
                throw InvalidArgument($"request_id must be 1 to {MaxRequestIdLength} characters long (got {request.RequestId.Length}).");
            }

            CheckText("payload", request.Payload);
            return Task.FromResult(new ProcessReply { RequestId = request.RequestId, Result = ProcessPayload(request.Payload) });
        });

    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<Event> responseStream, ServerCallContext context) =>
        gate.RunAsync(context, requestId: null, async () =>
        {
            if (request.Count is < 0 or > MaxSubscribeCount)
            {
                throw InvalidArgument($"count must be between 0 and {MaxSubscribeCount} (got {request.Count}).");
            }

            if (request.IntervalMs is < 0 or > MaxSubscribeIntervalMs)
            {
                throw InvalidArgument($"interval_ms must be between 0 and {MaxSubscribeIntervalMs} (got {request.IntervalMs}).");
            }

            var interval = TimeSpan.FromMilliseconds(request.IntervalMs);
            for (var sequence = 1; sequence <= request.Count; sequence++)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (sequence > 1 && interval > TimeSpan.Zero)
                {
                    await Task.Delay(interval, timeProvider, context.CancellationToken);
                }

                await responseStream.WriteAsync(new Event { Sequence = sequence, Payload = $"event {sequence}" }, context.CancellationToken);
            }

            return true;
        });

    public override Task<UploadReply> Upload(IAsyncStreamReader<Chunk> requestStream, ServerCallContext context) =>
        gate.RunAsync(context, requestId: null, async () =>
        {
            var reply = new UploadReply();
            await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
            {
                reply.TotalBytes += chunk.Data.Length;
                reply.Chunks++;
            }

            return reply;
        });

    public override Task Echo(IAsyncStreamReader<EchoMessage> requestStream, IServerStreamWriter<EchoMessage> responseStream, ServerCallContext context) =>
        gate.RunAsync(context, requestId: null, async () =>
        {
            await foreach (var message in requestStream.ReadAllAsync(context.CancellationToken))
            {
                CheckText("text", message.Text);
                await responseStream.WriteAsync(new EchoMessage { Text = message.Text }, context.CancellationToken);
            }

            return true;
        });

    /// <summary>The result of <c>Process</c>: the payload reversed, with its length.</summary>
    internal static string ProcessPayload(string payload)
    {
        var chars = payload.ToCharArray();
        Array.Reverse(chars);
        return $"processed {payload.Length} chars: {new string(chars)}";
    }

    private static void CheckText(string field, string text)
    {
        if (text.Length > MaxTextLength)
        {
            throw InvalidArgument($"{field} must be at most {MaxTextLength} characters long (got {text.Length}).");
        }
    }

    private static RpcException InvalidArgument(string detail) => new(new Status(StatusCode.InvalidArgument, detail));
}
