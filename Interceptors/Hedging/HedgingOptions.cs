using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Options of the <see cref="HedgingInterceptor"/>: which methods are hedged (gRFC A6), how many copies of a call may
/// be sent, and how long to wait between them.
/// </summary>
/// <remarks>
/// Hedging sends the same request several times, so it is only for idempotent methods, and none is hedged unless
/// listed in <see cref="HedgedMethods"/>. Only async unary and server-streaming calls are hedged; blocking unary,
/// client-streaming and duplex calls of a listed method pass through unhedged. A listed method is never retried when
/// the interceptors are stacked together (<see cref="ResilienceOptions"/>), whatever its call kind: a method gets
/// either retry or hedging, as in gRFC A6.
/// </remarks>
public sealed class HedgingOptions
{
    /// <summary>The most attempts a hedged call may make, as for <see cref="RetryOptions.MaxAttempts"/>.</summary>
    internal const int MaxAttemptsCap = 10;

    /// <summary>
    /// Gets or sets the methods that are hedged, because they are idempotent. An entry is a full method name
    /// (<c>/unstable.v1.UnstableService/Process</c>) or a service name (<c>unstable.v1.UnstableService</c>).
    /// </summary>
    /// <value>The default value is an empty set (nothing is hedged). Entries must not be blank.</value>
    public ISet<string> HedgedMethods { get; set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the most attempts a hedged call makes, counting the first one (as gRPC does).</summary>
    /// <value>The default value is 3. Must be between 1 (no hedges) and 10, the cap of <see cref="RetryOptions.MaxAttempts"/>.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Gets or sets how long after one attempt the next hedge is sent while no answer has come. Zero sends every
    /// attempt at once.
    /// </summary>
    /// <value>
    /// The default value is 200 milliseconds: a tenth of the default 2 second deadline of
    /// <see cref="DeadlineOptions.Timeout"/>, so a hung server costs a caller about 0.2 s instead of a failed call.
    /// Must be zero or more.
    /// </value>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets or sets per-method hedge delays that replace <see cref="Delay"/>, keyed by full method name or service
    /// name (the full method name wins). Each key must name a method or service of <see cref="HedgedMethods"/>.
    /// </summary>
    /// <value>The default value is an empty dictionary. Each delay must be zero or more.</value>
    public IDictionary<string, TimeSpan> MethodDelays { get; set; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets the status codes of a non-fatal failure: an attempt failing with one of them sends the next hedge
    /// at once (or after the server's pushback). Any other status is fatal: it ends the call with that failure and
    /// cancels the other attempts. A call refused by the circuit breaker below is never hedged again, whatever this
    /// set holds. An attempt that fails with <see cref="StatusCode.DeadlineExceeded"/> while the caller's own deadline
    /// is still ahead passed the attempt deadline an interceptor below gave it: it counts as non-fatal.
    /// </summary>
    /// <value>The default value is { <see cref="StatusCode.Unavailable"/> }. May be empty; must not be null nor contain <see cref="StatusCode.OK"/>.</value>
    public ISet<StatusCode> NonFatalStatusCodes { get; set; } = new HashSet<StatusCode> { StatusCode.Unavailable };

    /// <summary>
    /// Gets or sets the retry budget (gRFC A6 token bucket) that also limits hedges, or null for none. While the budget
    /// does not allow (half of its tokens or fewer remain), no further hedge is sent: the first attempt always goes,
    /// and the attempts already in flight go on. Each attempt failing with one of <see cref="NonFatalStatusCodes"/>
    /// takes a token, and each call answered successfully gives back <see cref="RetryThrottlingOptions.TokenRatio"/>.
    /// </summary>
    /// <remarks>
    /// gRFC A6 makes the budget a channel-level setting that applies to retries and hedges alike, so when hedging is
    /// stacked with retry by <see cref="ResilienceOptions"/> the stack has one budget, shared by both interceptors: it is
    /// configured once, here or on <see cref="RetryOptions.Throttling"/>, and setting both is a configuration error
    /// that <see cref="ResilienceOptions.Validate()"/> names. Naming the conflict at start is clearer than letting one
    /// silently win: either choice would discard a budget the user wrote, and two budgets cannot both hold for one
    /// channel. A standalone <see cref="HedgingInterceptor"/> has this budget of its own.
    /// </remarks>
    /// <value>The default value is <see langword="null"/> (hedges are not throttled, unless stacked with a throttled retry).</value>
    public RetryThrottlingOptions? Throttling { get; set; }

    /// <summary>Checks every setting and throws one exception naming each invalid one.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems.Scope(nameof(HedgingOptions)));
        problems.ThrowIfAny(nameof(HedgingOptions));
    }

    /// <summary>Records every invalid setting in <paramref name="problems"/>, scoped to these options.</summary>
    internal void Validate(OptionsProblems problems)
    {
        problems.Check(
            HedgedMethods is not null && HedgedMethods.All(MethodKey.IsValid),
            nameof(HedgedMethods),
            HedgedMethods is null ? null : $"{{{string.Join(", ", HedgedMethods)}}}",
            "it must not be null and its entries must be full method names or service names");
        problems.Check(MaxAttempts is >= 1 and <= MaxAttemptsCap, nameof(MaxAttempts), MaxAttempts, $"it must be between 1 and {MaxAttemptsCap}");
        problems.Check(Delay >= TimeSpan.Zero, nameof(Delay), Delay, "it must be zero or more");
        problems.Check(
            NonFatalStatusCodes is not null && !NonFatalStatusCodes.Contains(StatusCode.OK),
            nameof(NonFatalStatusCodes),
            NonFatalStatusCodes is null ? null : $"{{{string.Join(", ", NonFatalStatusCodes)}}}",
            "it must not be null nor hold OK");
        CheckMethodDelays(problems);
        Throttling?.Validate(problems.Scope(nameof(Throttling)));
    }

    private void CheckMethodDelays(OptionsProblems problems)
    {
        problems.Check(MethodDelays is not null, nameof(MethodDelays), null, "it must not be null");
        if (MethodDelays is null)
        {
            return;
        }

        var entries = problems.Scope(nameof(MethodDelays));
        foreach (var (key, value) in MethodDelays)
        {
            problems.Check(MethodKey.IsValid(key), nameof(MethodDelays), key, "keys must be full method names or service names");
            entries.CheckEntry(value >= TimeSpan.Zero, key, value, "it must be zero or more");
            entries.CheckEntry(
                !MethodKey.IsValid(key) || IsHedged(key),
                key,
                value,
                $"it must name a method or service of {nameof(HedgedMethods)}");
        }
    }

    private bool IsHedged(string key)
    {
        if (HedgedMethods is null)
        {
            return true;
        }

        return HedgedMethods.Contains(key) || (MethodKey.ServiceOf(key) is { } service && HedgedMethods.Contains(service));
    }
}
