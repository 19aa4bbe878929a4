using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// An async unary call that retries: its response spans every attempt; headers, status and trailers are the deciding
/// attempt's. Headers never commit a unary attempt: nothing reaches the caller before it ends, and grpc-dotnet completes
/// the headers of a trailers-only failure too. The call's headers are the final attempt's, once the call has settled.
/// </summary>
internal sealed class RetryingUnaryCall<TRequest, TResponse> : RetryingCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse>
    where TRequest : class
    where TResponse : class
{
    private RetryingUnaryCall(in ClientInterceptorContext<TRequest, TResponse> context)
        : base(context)
    {
    }

    /// <summary>
    /// Starts the first attempt, and the loop while it is pending. A first attempt already answered, or refused at once
    /// below (an open circuit, settled without throwing), is the call. When nothing below reads the attempts
    /// (<see cref="RetryEngine.DeclaresAttempts"/>) and no layer above made a context, a call answered at once costs nothing.
    /// </summary>
    public static AsyncUnaryCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    {
        RetryingUnaryCall<TRequest, TResponse>? call = null;
        var shared = found;
        if (engine.DeclaresAttempts || found is not null)
        {
            call = new RetryingUnaryCall<TRequest, TResponse>(context);
            shared = call.Declare(engine, ref context, found);
        }

        var first = invocation.Start(context);
        var pending = first.ResponseAsync;
        if (pending.IsCompletedSuccessfully)
        {
            shared?.AttemptEnded(error: null, context.Options.CancellationToken);
            engine.AttemptSucceeded();
            return first;
        }

        if (pending.IsFaulted && pending.Exception?.InnerException is INonRetryableError and Exception refused)
        {
            // Refused at once below (an open circuit): never retried, so the refused call is the caller's.
            shared?.AttemptEnded(refused, context.Options.CancellationToken);
            return first;
        }

        call ??= new RetryingUnaryCall<TRequest, TResponse>(context);
        call.RunAttempts(first, engine, context, invocation, shared ?? call);
        return new AsyncUnaryCall<TResponse>(call.Run, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeOfCall, call);
    }

    protected override bool EndsReported => true;

    protected override Task<TResponse> OutcomeAsync(AsyncUnaryCall<TResponse> attempt) => attempt.ResponseAsync;

    protected override Task<Metadata> HeadersAsync() => HeadersOnceSettledAsync(static attempt => attempt.ResponseHeadersAsync);

    protected override Status StatusOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetStatus();

    protected override Metadata TrailersOf(AsyncUnaryCall<TResponse> attempt) => attempt.GetTrailers();
}
