using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>A blocking unary call that retries by the same rules, waiting out each backoff on the calling thread.</summary>
internal sealed class RetryingBlockingCall<TRequest, TResponse>(
    RetryEngine engine,
    TRequest request,
    ClientInterceptorContext<TRequest, TResponse> context)
    : RetryingCall<TRequest, TResponse>(engine, context)
    where TRequest : class
    where TResponse : class
{
    /// <summary>Runs attempts until one succeeds or retrying stops, then returns or throws like a single call.</summary>
    public TResponse Run(Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        try
        {
            while (true)
            {
                try
                {
                    var attemptContext = NextAttemptContext();
                    TResponse result;
                    using (AmbientCall.Hand(attemptContext.Options, attemptContext.Method))
                    {
                        result = continuation(request, attemptContext);
                    }

                    Succeeded();
                    return result;
                }
                catch (Exception error)
                {
                    // The synchronous twin of the async loop: the same decision and wait, on the caller's thread.
                    RetryAfterAsync(error, failedAttempt: null).GetAwaiter().GetResult();
                }
            }
        }
        finally
        {
            Completed();
        }
    }

    /// <summary>A blocking call cannot be disposed, so the caller's token alone ends a wait.</summary>
    protected override CancellationToken BackoffToken() => Context.Options.CancellationToken;
}
