using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>
/// A request stream whose writes the network takes its time to accept (flow control): a write counts as activity when
/// it is sent, and a write or completion still pending when a stream limit passes fails with DEADLINE_EXCEEDED.
/// </summary>
public sealed class SlowRequestStreamTests : StreamDeadlineTestBase
{
    private readonly FlowControl network = new();

    [Test]
    public async Task WriteSentLate_IdleCountsFromWhenItWasSent()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var call = Client(Deadline(IdleOf(10)), network).Upload();

        var write = call.RequestStream.WriteAsync(new Chunk());
        Advance(8);
        Assert.That(write.IsCompleted, Is.False, "the network has not taken it yet");
        network.AcceptAll();
        await write.WaitAsync(Bound);
        Advance(9.999);
        Assert.That(call.ResponseAsync.IsCompleted, Is.False, "10 s after the call started, but not after the write was sent");
        Advance(0.001);

        Assert.That((await Fails(call.ResponseAsync)).Status.Detail, Is.EqualTo("The stream was idle for 10 s."));
        Assert.That(Arrival.WrittenMessages, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task WritePendingWhenIdleLimitPasses_FailsWithDeadlineExceeded()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var call = Client(Deadline(IdleOf(10)), network).Upload();

        var write = call.RequestStream.WriteAsync(new Chunk());
        Advance(10);

        Assert.That((await Fails(write)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), "not the CANCELLED the network sees");
        Assert.That((await Fails(call.ResponseAsync)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.WrittenMessages, Is.Empty);
    }

    [Test]
    public async Task CompletionPendingWhenIdleLimitPasses_FailsWithDeadlineExceeded()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        using var call = Client(Deadline(IdleOf(10)), network).Upload();

        var complete = call.RequestStream.CompleteAsync();
        Advance(10);

        Assert.That((await Fails(complete)).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }

    [Test]
    public async Task WriteWithToken_SentBeforeTheLimit_RefusedAfterIt()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        network.AcceptAll();
        using var call = Client(Deadline(IdleOf(10)), network).Upload();

        await call.RequestStream.WriteAsync(new Chunk(), CancellationToken.None).WaitAsync(Bound);
        Advance(10);
        await Fails(call.ResponseAsync);

        Assert.That((await Fails(call.RequestStream.WriteAsync(new Chunk(), CancellationToken.None))).StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Arrival.WrittenMessages, Has.Count.EqualTo(1), "the refused write never reached the network");
    }

    private static DeadlineOptions IdleOf(double seconds) =>
        new() { StreamIdleTimeouts = { [Upload] = TimeSpan.FromSeconds(seconds) } };

    /// <summary>
    /// Holds each write and completion of a client-streaming call's request stream until <see cref="AcceptAll"/>; one
    /// still held when the call is cancelled fails as grpc-dotnet's do, with CANCELLED.
    /// </summary>
    private sealed class FlowControl : Interceptor
    {
        private readonly TaskCompletionSource accepting = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void AcceptAll() => accepting.TrySetResult();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
            ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            var call = continuation(context);
            return new AsyncClientStreamingCall<TRequest, TResponse>(
                new HeldWriter<TRequest>(call.RequestStream, accepting.Task, context.Options.CancellationToken),
                call.ResponseAsync,
                call.ResponseHeadersAsync,
                call.GetStatus,
                call.GetTrailers,
                call.Dispose);
        }
    }

    private sealed class HeldWriter<T>(IClientStreamWriter<T> inner, Task accepted, CancellationToken callToken) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => HeldAsync(() => inner.WriteAsync(message));

        public Task CompleteAsync() => HeldAsync(inner.CompleteAsync);

        private async Task HeldAsync(Func<Task> send)
        {
            try
            {
                await accepted.WaitAsync(callToken);
            }
            catch (OperationCanceledException)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."));
            }

            await send();
        }
    }
}
