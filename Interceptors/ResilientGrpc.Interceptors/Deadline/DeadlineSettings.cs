using System.Collections.Frozen;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>An interceptor's copy of validated <see cref="DeadlineOptions"/>, which later changes cannot reach; each property is the option's.</summary>
internal sealed class DeadlineSettings(DeadlineOptions options)
{
    public TimeSpan Timeout { get; } = options.Timeout;

    public FrozenDictionary<string, TimeSpan> MethodTimeouts { get; } = options.MethodTimeouts.ToFrozenDictionary(StringComparer.Ordinal);

    public FrozenDictionary<string, TimeSpan> StreamIdleTimeouts { get; } = options.StreamIdleTimeouts.ToFrozenDictionary(StringComparer.Ordinal);
}
