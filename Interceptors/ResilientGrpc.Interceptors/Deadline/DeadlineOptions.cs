using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>Options of the <see cref="DeadlineInterceptor"/>.</summary>
public sealed class DeadlineOptions
{
    /// <summary>Gets or sets how long a call may wait for the server when no per-method override applies.</summary>
    /// <remarks>
    /// A unary call gets the deadline now + <see cref="Timeout"/> (a caller's earlier deadline is kept). A stream gets no
    /// deadline: the timeout bounds only the wait for its first response, from the start of a server-streaming or duplex
    /// call until headers or a message arrive, and from the completion of a client-streaming call's request stream until
    /// headers or the response arrive. When it passes, the call is cancelled (the server sees it) and the caller sees
    /// <see cref="Grpc.Core.StatusCode.DeadlineExceeded"/>.
    /// </remarks>
    /// <value>
    /// The default value is 2 seconds. Must be greater than zero, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// to add no deadline and no first-response limit by default.
    /// </value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets per-method timeouts that replace <see cref="Timeout"/>, keyed by full method name
    /// (<c>/unstable.v1.UnstableService/Process</c>, which wins) or service name. For every call kind, streams included,
    /// the value is a whole-call deadline (now + value, or the caller's earlier one);
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> adds none, nor a stream's first-response limit.
    /// </summary>
    /// <value>
    /// The default value is an empty dictionary. Keys must not be blank; values must be greater than zero or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.
    /// </value>
    public IDictionary<string, TimeSpan> MethodTimeouts { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets per-method idle timeouts for streams, keyed like <see cref="MethodTimeouts"/>: a stream with no
    /// message for that long is cancelled and ends with <see cref="Grpc.Core.StatusCode.DeadlineExceeded"/>.
    /// </summary>
    /// <remarks>
    /// The idle clock starts with the call. Every message received restarts it; a message written does not (an accepted
    /// write says nothing of a silent server), except on a client-streaming call, which receives nothing before its
    /// response: there each completed write, and completing the request stream, restart it. Unary calls ignore it.
    /// </remarks>
    /// <value>
    /// The default value is an empty dictionary (no idle timeout). Keys must not be blank; values must be greater than
    /// zero or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (no idle timeout for that method, for example to
    /// exempt one method of a service that has one).
    /// </value>
    public IDictionary<string, TimeSpan> StreamIdleTimeouts { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate() => OptionsProblems.ThrowIfInvalid(nameof(DeadlineOptions), Validate);

    internal void Validate(OptionsProblems problems)
    {
        problems.Check(IsValidTimeout(Timeout), nameof(Timeout), Timeout, "it must be greater than zero or Timeout.InfiniteTimeSpan");
        problems.CheckPerMethod(MethodTimeouts, nameof(MethodTimeouts), IsValidTimeout, "it must be greater than zero or Timeout.InfiniteTimeSpan");
        problems.CheckPerMethod(StreamIdleTimeouts, nameof(StreamIdleTimeouts), IsValidTimeout, "it must be greater than zero or Timeout.InfiniteTimeSpan");
    }

    private static bool IsValidTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == System.Threading.Timeout.InfiniteTimeSpan;
}
