using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>How to observe the end of a call of one kind, and make one already failed: so one generic path serves every kind.</summary>
/// <typeparam name="TCall">The call object: <c>AsyncUnaryCall&lt;T&gt;</c>, <c>AsyncServerStreamingCall&lt;T&gt;</c>, ...</typeparam>
internal interface ICallKind<TCall>
    where TCall : class
{
    /// <summary>Wraps <paramref name="call"/> so <paramref name="observer"/> learns once how it ended.</summary>
    static abstract TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver;

    static abstract TCall Fail(RpcException error);
}
