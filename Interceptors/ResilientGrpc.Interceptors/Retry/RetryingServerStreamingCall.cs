using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>A server-streaming call that retries until it commits (<see cref="CommittedStream"/>).</summary>
internal sealed class RetryingServerStreamingCall<TRequest, TResponse>
    : RetryingCall<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, bool>, IAsyncStreamReader<TResponse>
    where TRequest : class
    where TResponse : class
{
    private readonly Lock commitLock = new();
    private AsyncServerStreamingCall<TResponse>? committed;
    private AsyncServerStreamingCall<TResponse>? failed;
    private TaskCompletionSource nextAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool firstConsumed;

    private RetryingServerStreamingCall(in ClientInterceptorContext<TRequest, TResponse> context)
        : base(context)
    {
    }

    public TResponse Current => CommittedStream.Current(Volatile.Read(ref committed));

    public static AsyncServerStreamingCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    {
        var call = new RetryingServerStreamingCall<TRequest, TResponse>(context);
        call.Declare(ref context, found, engine.MaxAttempts, AttemptsReport.None);
        call.RunAttempts(invocation.Start(context), engine, context, invocation);
        return new AsyncServerStreamingCall<TResponse>(call, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) =>
        CommittedStream.MoveNext(ref firstConsumed, Volatile.Read(ref committed), Run, cancellationToken, DisposeOfCall, this);

    protected override Task<bool> OutcomeAsync(AsyncServerStreamingCall<TResponse> attempt) =>
        attempt.ResponseStream.MoveNext(CancellationToken.None);

    protected override void OnSucceeded(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            committed = attempt;
        }

        Shared.Commit();
    }

    /// <summary>Marks <paramref name="attempt"/> failed, unless the caller committed it by reading its headers: then its error is final.</summary>
    protected override bool TryFail(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            if (ReferenceEquals(committed, attempt))
            {
                return false;
            }

            failed = attempt;
            return true;
        }
    }

    protected override void OnNextAttempt() =>
        Interlocked.Exchange(ref nextAttempt, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    protected override async Task<Metadata> HeadersAsync()
    {
        while (true)
        {
            var next = Volatile.Read(ref nextAttempt).Task;
            var attempt = Attempt!;
            if (Volatile.Read(ref committed) is { } call)
            {
                return await call.ResponseHeadersAsync.ConfigureAwait(false);
            }

            var headers = attempt.ResponseHeadersAsync;
            await ((Task)headers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (headers.IsCompletedSuccessfully && !CommittedStream.HasEnded(attempt) && TryCommitByHeaders(attempt))
            {
                return headers.Result;
            }

            // This attempt ended (trailers-only headers of a failure, or failed headers): the next attempt or the outcome decides.
            await Task.WhenAny(next, Run).ConfigureAwait(false);
            if (Run.IsCompleted && Volatile.Read(ref committed) is null)
            {
                // FinalError is unset only when starting an attempt threw: surface that error, not a null reference.
                throw FinalError ?? Run.Exception!.InnerException!;
            }
        }
    }

    protected override Status StatusOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncServerStreamingCall<TResponse> attempt) => attempt.GetTrailers();

    private bool TryCommitByHeaders(AsyncServerStreamingCall<TResponse> attempt)
    {
        lock (commitLock)
        {
            if (ReferenceEquals(failed, attempt) || (committed is not null && !ReferenceEquals(committed, attempt)))
            {
                return false;
            }

            committed = attempt;
        }

        Shared.Commit();
        return true;
    }
}
