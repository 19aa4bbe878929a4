using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// What the interceptors need to know of one call kind (<typeparamref name="TCall"/>): how to observe how a call of
/// that kind ends, and how to make one that has already failed. Lets one generic per-call path serve every kind.
/// </summary>
/// <typeparam name="TCall">The call object: <c>AsyncUnaryCall&lt;T&gt;</c>, <c>AsyncServerStreamingCall&lt;T&gt;</c>, ...</typeparam>
internal interface ICallKind<TCall>
    where TCall : class
{
    /// <summary>Wraps <paramref name="call"/> so <paramref name="observer"/> learns once how it ended.</summary>
    static abstract TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver;

    /// <summary>A call that has already failed with <paramref name="error"/>, reported the way gRPC reports failures.</summary>
    static abstract TCall Fail(RpcException error);
}
