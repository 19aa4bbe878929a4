using System.Collections.Frozen;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// The settings of a <see cref="DeadlineInterceptor"/>, copied from validated <see cref="DeadlineOptions"/> when it is
/// constructed, so later changes to the options cannot reach it.
/// </summary>
internal sealed class DeadlineSettings(DeadlineOptions options)
{
    /// <summary>The deadline of a unary call, and the first-response limit of a stream, unless a method overrides it.</summary>
    public TimeSpan Timeout { get; } = options.Timeout;

    /// <summary>Whole-call deadlines by full method name or service name.</summary>
    public FrozenDictionary<string, TimeSpan> MethodTimeouts { get; } = options.MethodTimeouts.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Stream idle timeouts by full method name or service name.</summary>
    public FrozenDictionary<string, TimeSpan> StreamIdleTimeouts { get; } = options.StreamIdleTimeouts.ToFrozenDictionary(StringComparer.Ordinal);
}
