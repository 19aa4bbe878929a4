using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Polly;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// One async unary call hedged by a Polly pipeline. Each attempt is a real call on the token of its own Polly context,
/// which Polly cancels when another attempt wins, so the server sees the losers cancelled. The caller sees the winning
/// attempt's headers, status and trailers, or the final failure turned into a gRPC status (<see cref="PollyErrors"/>).
/// </summary>
internal sealed class PollyHedgingUnaryCall<TRequest, TResponse>(
    ResiliencePipeline<object> pipeline,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    where TRequest : class
    where TResponse : class
{
    private readonly ConcurrentQueue<AsyncUnaryCall<TResponse>> attempts = new();
    private AsyncUnaryCall<TResponse>? winner;
    private RpcException? error;

    public AsyncUnaryCall<TResponse> Start() =>
        new(
            RunAsync(),
            static s => ((PollyHedgingUnaryCall<TRequest, TResponse>)s).HeadersAsync(),
            static s => ((PollyHedgingUnaryCall<TRequest, TResponse>)s).GetStatus(),
            static s => ((PollyHedgingUnaryCall<TRequest, TResponse>)s).GetTrailers(),
            static s => ((PollyHedgingUnaryCall<TRequest, TResponse>)s).DisposeAll(),
            this);

    private async Task<TResponse> RunAsync()
    {
        var resilience = ResilienceContextPool.Shared.Get(context.Options.CancellationToken);
        Outcome<object> outcome;
        try
        {
            outcome = await pipeline.ExecuteOutcomeAsync(static (ctx, self) => self.AttemptAsync(ctx.CancellationToken), resilience, this).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }

        // Polly has cancelled the losers; dispose them so each one's resources go at once.
        foreach (var attempt in attempts)
        {
            if (outcome.Exception is null && attempt.ResponseAsync.IsCompletedSuccessfully && ReferenceEquals(attempt.ResponseAsync.Result, outcome.Result))
            {
                winner = attempt;
            }
            else
            {
                attempt.Dispose();
            }
        }

        if (outcome.Exception is { } failure)
        {
            error = PollyErrors.ToRpc(failure);
            throw error;
        }

        return (TResponse)outcome.Result!;
    }

    private async ValueTask<Outcome<object>> AttemptAsync(CancellationToken token)
    {
        var options = context.Options.WithCancellationToken(token);
        var attempt = continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
        attempts.Enqueue(attempt);
        try
        {
            return Outcome.FromResult<object>(await attempt.ResponseAsync.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            return Outcome.FromException<object>(PollyErrors.FromAttempt(e, token));
        }
    }

    private async Task<Metadata> HeadersAsync()
    {
        var attempt = Volatile.Read(ref winner);
        return attempt is null ? throw (error ?? new RpcException(new Status(StatusCode.Unavailable, "No attempt has won yet."))) : await attempt.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus() => error?.Status ?? Volatile.Read(ref winner)?.GetStatus() ?? throw new InvalidOperationException("The call has not finished.");

    private Metadata GetTrailers() => error?.Trailers ?? Volatile.Read(ref winner)?.GetTrailers() ?? throw new InvalidOperationException("The call has not finished.");

    private void DisposeAll()
    {
        foreach (var attempt in attempts)
        {
            attempt.Dispose();
        }
    }
}
