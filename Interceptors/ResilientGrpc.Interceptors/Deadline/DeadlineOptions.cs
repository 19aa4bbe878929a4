using ResilientGrpc.Interceptors.Internal;


namespace ResilientGrpc.Interceptors;

/// <summary>Options of the <see cref="DeadlineInterceptor"/>.</summary>
public sealed class DeadlineOptions
{
    /// <summary>
    /// Gets or sets how long a call may wait for the server when no per-method override applies.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A unary call gets the gRPC deadline now + <see cref="Timeout"/>: a caller's earlier deadline is kept, a later
    /// one is capped to it.
    /// </para>
    /// <para>
    /// A stream gets no deadline from it: <see cref="Timeout"/> bounds only the wait for the stream's first response,
    /// so a server that hangs before answering is cut while a healthy subscription or chat lives as long as its caller
    /// wants (bounded by the caller's own deadline). The wait for a server-streaming or duplex call runs from the
    /// start of the call until the response headers arrive or the first message is read. The wait for a
    /// client-streaming call runs from the moment the caller completes its request stream until the response
    /// headers or the response arrive: the caller may take as long as it likes to write, and the server then has
    /// <see cref="Timeout"/> to answer. When the wait is over the call is cancelled (the server sees it cancelled)
    /// and the caller sees <see cref="Grpc.Core.StatusCode.DeadlineExceeded"/> from whatever it awaits or reads.
    /// A caller's deadline that ends first makes the limit moot.
    /// </para>
    /// </remarks>
    /// <value>
    /// The default value is 2 seconds. Must be greater than zero, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// to add no deadline and no first-response limit by default.
    /// </value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets per-method timeouts that replace <see cref="Timeout"/>. A key is either a full method name
    /// (<c>/unstable.v1.UnstableService/Process</c>) or a service name (<c>unstable.v1.UnstableService</c>); the
    /// full method name wins. For every call kind, streams included, the value is a whole-call gRPC deadline:
    /// now + value, or the caller's earlier deadline. The value <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// means "add no deadline" (the caller's own deadline, if any, is kept) and, for a stream, no first-response
    /// limit either.
    /// </summary>
    /// <value>
    /// The default value is an empty dictionary. Keys must not be blank; values must be greater than zero or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.
    /// </value>
    public IDictionary<string, TimeSpan> MethodTimeouts { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets per-method idle timeouts for streams, keyed like <see cref="MethodTimeouts"/> (the full method
    /// name wins over the service name). A stream with no message for that long is cancelled and ends with
    /// <see cref="Grpc.Core.StatusCode.DeadlineExceeded"/>, however long it has lived before.
    /// </summary>
    /// <remarks>
    /// The idle clock starts with the call. For server-streaming and duplex calls, every message received restarts
    /// it: messages the caller writes do not, since a write that was accepted says nothing about whether the server
    /// still answers (a duplex stream the caller keeps writing to while the server has gone silent is what this limit
    /// is for). For client-streaming calls, which receive nothing before their response, every message written (once
    /// its write completes) and the completion of the request stream restart it, so the limit bounds both a caller
    /// that stops writing and the wait for the response. Unary calls ignore this setting.
    /// </remarks>
    /// <value>
    /// The default value is an empty dictionary (no idle timeout). Keys must not be blank; values must be greater than
    /// zero or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> (no idle timeout for that method, for example to
    /// exempt one method of a service that has one).
    /// </value>
    public IDictionary<string, TimeSpan> StreamIdleTimeouts { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems.Scope(nameof(DeadlineOptions)));
        problems.ThrowIfAny(nameof(DeadlineOptions));
    }

    /// <summary>Records every invalid setting in <paramref name="problems"/>, scoped to these options.</summary>
    internal void Validate(OptionsProblems problems)
    {
        problems.Check(IsValidTimeout(Timeout), nameof(Timeout), Timeout, "it must be greater than zero or Timeout.InfiniteTimeSpan");
        CheckPerMethod(problems, MethodTimeouts, nameof(MethodTimeouts));
        CheckPerMethod(problems, StreamIdleTimeouts, nameof(StreamIdleTimeouts));
    }

    private static void CheckPerMethod(OptionsProblems problems, IDictionary<string, TimeSpan>? values, string name)
    {
        problems.Check(values is not null, name, null, "it must not be null");
        if (values is null)
        {
            return;
        }

        var entries = problems.Scope(name);
        foreach (var (key, value) in values)
        {
            problems.Check(MethodKey.IsValid(key), name, key, "keys must be full method names or service names");
            entries.CheckEntry(IsValidTimeout(value), key, value, "it must be greater than zero or Timeout.InfiniteTimeSpan");
        }
    }

    private static bool IsValidTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == System.Threading.Timeout.InfiniteTimeSpan;
}
