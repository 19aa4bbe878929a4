using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>Options of the <see cref="RetryInterceptor"/>.</summary>
public sealed class RetryOptions
{
    /// <summary>Gets or sets the most attempts a call makes, counting the first one (as gRPC does).</summary>
    /// <value>The default value is 3. Must be between 1 (no retries) and 10.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Gets or sets the delay before the first retry, before jitter.</summary>
    /// <value>The default value is 1 second. Must be greater than zero and at most <see cref="MaxBackoff"/>.</value>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the factor each delay grows by: the delay before attempt n + 1 is
    /// min(<see cref="InitialBackoff"/> × <see cref="BackoffMultiplier"/>^(n − 1), <see cref="MaxBackoff"/>), then jittered.
    /// </summary>
    /// <value>The default value is 2. Must be a finite number of at least 1.</value>
    public double BackoffMultiplier { get; set; } = 2;

    /// <summary>Gets or sets the longest delay between attempts, before jitter.</summary>
    /// <value>The default value is 30 seconds. Must be at least <see cref="InitialBackoff"/>.</value>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the jitter J: each delay is multiplied by a uniform random factor in [1 − J, 1 + J)
    /// (gRFC A6 as revised in 2024). 0 gives exact delays (1 s, 2 s, 4 s with the defaults).
    /// </summary>
    /// <value>The default value is 0.2 (±20%). Must be between 0 and 1.</value>
    public double JitterFactor { get; set; } = 0.2;

    /// <summary>
    /// Gets or sets the status codes an attempt may be retried on. Connection failures surface as
    /// <see cref="StatusCode.Unavailable"/>. Caller cancellation, a passed caller deadline and a call refused by the
    /// circuit breaker are never retried, whatever this set holds.
    /// </summary>
    /// <value>The default value is { <see cref="StatusCode.Unavailable"/> }. Must not be empty nor contain <see cref="StatusCode.OK"/>.</value>
    public ISet<StatusCode> RetryableStatusCodes { get; set; } = new HashSet<StatusCode> { StatusCode.Unavailable };

    /// <summary>
    /// Gets or sets whether the server's <c>grpc-retry-pushback-ms</c> trailer is obeyed: a value ≥ 0 replaces the next
    /// delay exactly (still bounded by the caller's deadline and <see cref="MaxAttempts"/>); a negative or malformed
    /// value stops retrying.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool HonorServerPushback { get; set; } = true;

    /// <summary>Gets or sets the retry budget (gRFC A6 token bucket), or null for none; in a stack it limits hedges too (<see cref="HedgingOptions.Throttling"/>).</summary>
    /// <value>The default value is <see langword="null"/> (retries are not throttled).</value>
    public RetryThrottlingOptions? Throttling { get; set; }

    /// <summary>
    /// Gets or sets the methods that are never retried, because they are not idempotent. An entry is a full
    /// method name (<c>/unstable.v1.UnstableService/Process</c>) or a service name (<c>unstable.v1.UnstableService</c>).
    /// </summary>
    /// <value>The default value is an empty set. Entries must not be blank.</value>
    public ISet<string> NonRetryableMethods { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate() => OptionsProblems.ThrowIfInvalid(nameof(RetryOptions), Validate);

    internal void Validate(OptionsProblems problems)
    {
        problems.Check(MaxAttempts is >= 1 and <= 10, nameof(MaxAttempts), MaxAttempts, "it must be between 1 and 10");
        problems.Check(InitialBackoff > TimeSpan.Zero, nameof(InitialBackoff), InitialBackoff, "it must be greater than zero");
        problems.Check(MaxBackoff > TimeSpan.Zero, nameof(MaxBackoff), MaxBackoff, "it must be greater than zero");
        problems.Check(
            MaxBackoff >= InitialBackoff || MaxBackoff <= TimeSpan.Zero,
            nameof(MaxBackoff),
            MaxBackoff,
            $"it must be at least {nameof(InitialBackoff)}");
        problems.Check(
            double.IsFinite(BackoffMultiplier) && BackoffMultiplier >= 1,
            nameof(BackoffMultiplier),
            BackoffMultiplier,
            "it must be a finite number of at least 1");
        problems.Check(JitterFactor is >= 0 and <= 1, nameof(JitterFactor), JitterFactor, "it must be between 0 and 1");
        problems.CheckSet(
            RetryableStatusCodes is { Count: > 0 } && !RetryableStatusCodes.Contains(StatusCode.OK),
            nameof(RetryableStatusCodes),
            RetryableStatusCodes,
            "it must hold at least one status code and not OK");
        problems.CheckMethods(NonRetryableMethods, nameof(NonRetryableMethods));
        Throttling?.Validate(problems.Scope(nameof(Throttling)));
    }
}
