using Grpc.Core;
using Grpc.Core.Interceptors;
using Polly;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// One async unary call run through a Polly pipeline. Each attempt is a real call whose cancellation token is Polly's
/// (so the timeout strategy can end it); headers, status and trailers are those of the latest attempt. Polly's own
/// errors are turned into gRPC statuses so callers see the same errors as with ours.
/// </summary>
internal sealed class PollyUnaryCall<TRequest, TResponse>(
    ResiliencePipeline pipeline,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context,
    Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    where TRequest : class
    where TResponse : class
{
    private AsyncUnaryCall<TResponse>? current;
    private RpcException? error;

    public AsyncUnaryCall<TResponse> Start() =>
        new(
            RunAsync(),
            static s => ((PollyUnaryCall<TRequest, TResponse>)s).HeadersAsync(),
            static s => ((PollyUnaryCall<TRequest, TResponse>)s).GetStatus(),
            static s => ((PollyUnaryCall<TRequest, TResponse>)s).GetTrailers(),
            static s => Volatile.Read(ref ((PollyUnaryCall<TRequest, TResponse>)s).current)?.Dispose(),
            this);

    /// <summary>Runs the pipeline; a pipeline that completes synchronously (a rejection, a completed call) throws nothing.</summary>
    private Task<TResponse> RunAsync()
    {
        var resilience = ResilienceContextPool.Shared.Get(context.Options.CancellationToken);
        var pending = pipeline.ExecuteOutcomeAsync(static (ctx, self) => self.AttemptAsync(ctx.CancellationToken), resilience, this);
        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitAsync(pending, resilience);
        }

        ResilienceContextPool.Shared.Return(resilience);
        return Settle(pending.Result);
    }

    private async Task<TResponse> AwaitAsync(ValueTask<Outcome<TResponse>> pending, ResilienceContext resilience)
    {
        Outcome<TResponse> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }

        return await Settle(outcome).ConfigureAwait(false);
    }

    private Task<TResponse> Settle(Outcome<TResponse> outcome)
    {
        if (outcome.Exception is { } failure)
        {
            error = PollyErrors.ToRpc(failure);
            return Task.FromException<TResponse>(error);
        }

        return Task.FromResult(outcome.Result!);
    }

    private async ValueTask<Outcome<TResponse>> AttemptAsync(CancellationToken token)
    {
        var options = token == context.Options.CancellationToken ? context.Options : context.Options.WithCancellationToken(token);
        var attempt = continuation(request, new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options));
        Interlocked.Exchange(ref current, attempt)?.Dispose();
        try
        {
            return Outcome.FromResult(await attempt.ResponseAsync.ConfigureAwait(false));
        }
        catch (Exception e)
        {
            return Outcome.FromException<TResponse>(PollyErrors.FromAttempt(e, token));
        }
    }

    private async Task<Metadata> HeadersAsync()
    {
        var attempt = Volatile.Read(ref current);
        return attempt is null ? throw error! : await attempt.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status GetStatus() => error?.Status ?? Volatile.Read(ref current)!.GetStatus();

    private Metadata GetTrailers() => error?.Trailers ?? Volatile.Read(ref current)!.GetTrailers();
}
