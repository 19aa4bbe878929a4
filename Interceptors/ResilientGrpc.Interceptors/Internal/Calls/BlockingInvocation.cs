using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// A blocking unary call seen as an async one, so every layer has one unary path: each attempt runs the blocking call
/// below to its end and is handed up as an ended call. The caller's thread waits for the whole stack (<see cref="Wait"/>);
/// a retry after a backoff runs the next attempt on the thread the wait ended on.
/// </summary>
internal readonly struct BlockingInvocation<TRequest, TResponse>(
    TRequest request, Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private static readonly Task<Metadata> NoHeaders = Task.FromResult(Metadata.Empty);
    private static readonly Func<Status> Ok = static () => Status.DefaultSuccess;
    private static readonly Func<Metadata> NoTrailers = static () => Metadata.Empty;
    private static readonly Action Nothing = static () => { };

    private readonly Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => FailedCall.Unary<TResponse>(error);

    /// <summary>
    /// Blocks until the stack's <paramref name="call"/> has ended, and returns or throws as a blocking call does. Every
    /// await below leaves the caller's synchronization context, so this cannot deadlock it.
    /// </summary>
    public static TResponse Wait(AsyncUnaryCall<TResponse> call)
    {
        using (call)
        {
            return call.ResponseAsync.GetAwaiter().GetResult();
        }
    }

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        Task<TResponse> outcome;
        try
        {
            using var handing = AmbientCall.Hand(context.Options, context.Method);
            outcome = Task.FromResult(invoker is null ? continuation!(request, context) : invoker.BlockingUnaryCall(context.Method, context.Host, context.Options, request));
        }
        catch (Exception error)
        {
            outcome = Task.FromException<TResponse>(error);
            TaskFaults.ObserveEnded(outcome);
        }

        return new AsyncUnaryCall<TResponse>(outcome, NoHeaders, Ok, NoTrailers, Nothing);
    }
}
