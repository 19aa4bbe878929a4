namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A stream kind whose first-response and idle limits a <see cref="StreamWatch"/> enforces.</summary>
/// <typeparam name="TCall">The call object of that kind.</typeparam>
internal interface IWatchedKind<TCall>
    where TCall : class
{
    /// <summary>Whether the caller writes a request stream: the first-response limit then starts when it completes.</summary>
    static abstract bool ClientStreaming { get; }

    /// <summary>Wraps <paramref name="call"/> so <paramref name="watch"/> sees its traffic and its end.</summary>
    static abstract TCall Wrap(TCall call, StreamWatch watch);
}
