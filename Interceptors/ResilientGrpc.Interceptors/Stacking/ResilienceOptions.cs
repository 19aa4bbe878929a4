using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The patterns stacked by <see cref="ResilienceCallInvokerExtensions.WithResilience(Grpc.Core.ChannelBase, ResilienceOptions?, TimeProvider?, Microsoft.Extensions.Logging.ILoggerFactory?, System.Diagnostics.Metrics.IMeterFactory?)"/>
/// and by the client factory's <c>AddResilience</c>. Deadline, retry, circuit breaker and concurrency limit are on with their
/// defaults (set one to <see langword="null"/> to leave that pattern out); hedging and adaptive throttling are off until set.
/// Stacked outermost first: hedging, retry, adaptive throttling, concurrency limit, circuit breaker, deadline.
/// </summary>
public sealed class ResilienceOptions
{
    /// <summary>Gets or sets the per-attempt deadline, or <see langword="null"/> for none.</summary>
    /// <value>The default value is a <see cref="DeadlineOptions"/> with its defaults (2 seconds).</value>
    public DeadlineOptions? Deadline { get; set; } = new();

    /// <summary>Gets or sets the retry policy, or <see langword="null"/> for no retries.</summary>
    /// <value>The default value is a <see cref="RetryOptions"/> with its defaults (3 attempts, 1 s then 2 s backoff).</value>
    public RetryOptions? Retry { get; set; } = new();

    /// <summary>Gets or sets the circuit breaker, or <see langword="null"/> for none.</summary>
    /// <value>The default value is a <see cref="CircuitBreakerOptions"/> with its defaults (5 failures in a row, 30 s break).</value>
    public CircuitBreakerOptions? CircuitBreaker { get; set; } = new();

    /// <summary>
    /// Gets or sets hedging for idempotent methods (gRFC A6), or <see langword="null"/> for none. Stacked outermost; the
    /// async unary and server-streaming calls of its methods are hedged and never retried, while the call kinds hedging
    /// passes through are left to <see cref="Retry"/> as for any unlisted method.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (no method is hedged).</value>
    /// <remarks>
    /// Retry and hedging share one retry budget, <see cref="RetryOptions.Throttling"/> or <see cref="HedgingOptions.Throttling"/>,
    /// whichever is set; setting both is invalid.
    /// </remarks>
    public HedgingOptions? Hedging { get; set; }

    /// <summary>
    /// Gets or sets the concurrency limit on the unary attempts in flight (see <see cref="ConcurrencyLimitInterceptor"/>), or
    /// <see langword="null"/> for none. Below retry and hedging, so every retry and hedge takes a slot as it leaves; above
    /// the breaker, which never counts its refusals.
    /// </summary>
    /// <value>The default value is a <see cref="ConcurrencyLimitOptions"/> with its defaults (an adaptive gradient limit, starting at its maximum: nothing is refused until the server shows overload).</value>
    public ConcurrencyLimitOptions? ConcurrencyLimit { get; set; } = new();

    /// <summary>
    /// Gets or sets client-side adaptive throttling (see <see cref="AdaptiveThrottlingInterceptor"/>), or <see langword="null"/>
    /// for none. Below retry and hedging, above the concurrency limit.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (off): against one server the concurrency limit already keeps the load at its capacity.</value>
    public AdaptiveThrottlingOptions? AdaptiveThrottling { get; set; }

    /// <summary>Checks every enabled pattern and throws one <see cref="ArgumentException"/> naming every invalid setting.</summary>
    /// <exception cref="ArgumentException">At least one setting is invalid.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems);
        problems.ThrowIfAny(nameof(ResilienceOptions));
    }

    /// <summary>Records every invalid setting of the enabled patterns in <paramref name="problems"/>.</summary>
    internal void Validate(OptionsProblems problems)
    {
        Deadline?.Validate(problems.Pattern(nameof(Deadline), nameof(DeadlineOptions)));
        Retry?.Validate(problems.Pattern(nameof(Retry), nameof(RetryOptions)));
        CircuitBreaker?.Validate(problems.Pattern(nameof(CircuitBreaker), nameof(CircuitBreakerOptions)));
        ConcurrencyLimit?.Validate(problems.Pattern(nameof(ConcurrencyLimit), nameof(ConcurrencyLimitOptions)));
        AdaptiveThrottling?.Validate(problems.Pattern(nameof(AdaptiveThrottling), nameof(AdaptiveThrottlingOptions)));
        var hedging = problems.Pattern(nameof(Hedging), nameof(HedgingOptions));
        Hedging?.Validate(hedging);
        if (Retry?.Throttling is not null && Hedging?.Throttling is not null)
        {
            // gRFC A6: one retry budget per channel, shared by retries and hedges.
            hedging.Report(
                nameof(HedgingOptions.Throttling),
                $"is set beside {problems.Pattern(nameof(Retry), nameof(RetryOptions)).KeyOf(nameof(RetryOptions.Throttling))}; retry and hedging share one budget, so set it on only one of them");
        }
    }

    /// <summary>Records each hedged method naming a method of <paramref name="service"/>, the client's, that it lacks or cannot be hedged.</summary>
    internal void ValidateHedgedMethodsOf(ServiceMethods service, OptionsProblems problems) =>
        Hedging?.ValidateMethodsOf(service, problems.Pattern(nameof(Hedging), nameof(HedgingOptions)));

    /// <summary>The one retry budget of the stack (gRFC A6), shared by retry and hedging; null when neither sets one.</summary>
    // Stryker disable once NullCoalescing : the order matters only when both are set, which validation rejects.
    internal RetryThrottlingOptions? SharedThrottling => Retry?.Throttling ?? Hedging?.Throttling;
}
