using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>Options of the <see cref="DeadlineInterceptor"/>.</summary>
public sealed class DeadlineOptions
{
    /// <summary>
    /// Gets or sets how long a call may take when no per-method override applies. A call without a deadline gets
    /// now + <see cref="Timeout"/>; a caller's earlier deadline is kept; a later one is capped to it.
    /// </summary>
    /// <value>
    /// The default value is 2 seconds. Must be greater than zero, or <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>
    /// to add no deadline by default.
    /// </value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Gets or sets per-method timeouts that replace <see cref="Timeout"/>. A key is either a full method name
    /// (<c>/unstable.v1.UnstableService/Subscribe</c>) or a service name (<c>unstable.v1.UnstableService</c>); the
    /// full method name wins. The value <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> means "add no
    /// deadline" (the caller's own deadline, if any, is kept), for long-lived streams.
    /// </summary>
    /// <value>
    /// The default value is an empty dictionary. Keys must not be blank; values must be greater than zero or
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>.
    /// </value>
    public IDictionary<string, TimeSpan> MethodTimeouts { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var validation = new OptionsValidation(nameof(DeadlineOptions));
        validation.Check(IsValidTimeout(Timeout), nameof(Timeout), Timeout, "it must be greater than zero or Timeout.InfiniteTimeSpan");
        validation.Check(MethodTimeouts is not null, nameof(MethodTimeouts), null, "it must not be null");
        if (MethodTimeouts is not null)
        {
            foreach (var (key, value) in MethodTimeouts)
            {
                validation.Check(MethodKey.IsValid(key), nameof(MethodTimeouts), key, "keys must be full method names or service names");
                validation.Check(
                    IsValidTimeout(value),
                    $"{nameof(MethodTimeouts)}[{key}]",
                    value,
                    "it must be greater than zero or Timeout.InfiniteTimeSpan");
            }
        }

        validation.ThrowIfInvalid();
    }

    /// <summary>A deep copy, so later changes to this instance do not reach a running interceptor.</summary>
    internal DeadlineOptions Clone() => new()
    {
        Timeout = Timeout,
        MethodTimeouts = MethodTimeouts is null ? null! : new Dictionary<string, TimeSpan>(MethodTimeouts, StringComparer.Ordinal),
    };

    private static bool IsValidTimeout(TimeSpan value) =>
        value > TimeSpan.Zero || value == System.Threading.Timeout.InfiniteTimeSpan;
}
