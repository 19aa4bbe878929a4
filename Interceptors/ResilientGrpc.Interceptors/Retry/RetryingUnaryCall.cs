using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// An async unary call that retries: its response task spans every attempt, while headers, status, trailers and
/// disposal always refer to the attempt that decided the outcome. Response headers never commit a unary attempt:
/// its response is a single message, so nothing reaches the caller before the attempt has ended, and grpc-dotnet
/// completes the headers task successfully (empty) even when the server failed the call before sending any header
/// (a "trailers-only" response), so headers cannot tell a started answer from a plain failure. The call's response
/// headers are those of the final attempt, available once the call has settled.
/// </summary>
/// <remarks>
/// A first attempt that has already succeeded when it returns is the call: the caller gets it as it is. A first attempt
/// that an interceptor below refused at once (an open circuit) is the call too, settled without throwing: a rejection
/// costs no exception until the caller awaits it. A headers task made here is observed at once (an interceptor above
/// may ask for it and never await it); a caller who awaits it still gets the error.
/// </remarks>
internal sealed class RetryingUnaryCall<TRequest, TResponse> : RetryingCall<TRequest, TResponse, AsyncUnaryCall<TResponse>, TResponse>
    where TRequest : class
    where TResponse : class
{
    private RetryingUnaryCall(in ClientInterceptorContext<TRequest, TResponse> context)
        : base(context)
    {
    }

    /// <summary>
    /// Starts the call: its first attempt, and the loop over the next ones while that attempt is pending. When nothing
    /// below reads the contract of the call's attempts (<see cref="RetryEngine.DeclaresAttempts"/>) and no layer above
    /// made a context, the first attempt leaves as it came, and a call answered at once costs nothing.
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
