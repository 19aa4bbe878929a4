namespace ResilientGrpc.Interceptors;

/// <summary>
/// The three patterns stacked by <see cref="ResilienceCallInvokerExtensions.WithResilience(Grpc.Core.ChannelBase, ResilienceOptions?, TimeProvider?, Microsoft.Extensions.Logging.ILoggerFactory?, System.Diagnostics.Metrics.IMeterFactory?)"/>
/// and by the client factory's <c>AddResilience</c>. Each is on with its defaults; set one to <see langword="null"/> to leave that pattern out.
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
    /// Checks every enabled pattern and throws one <see cref="ArgumentException"/> naming every invalid setting.
    /// </summary>
    /// <exception cref="ArgumentException">At least one setting is invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>(3);
        Collect(Deadline is null ? null : Deadline.Validate, problems);
        Collect(Retry is null ? null : Retry.Validate, problems);
        Collect(CircuitBreaker is null ? null : CircuitBreaker.Validate, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(ResilienceOptions));
        }
    }

    private static void Collect(Action? validate, List<string> problems)
    {
        try
        {
            validate?.Invoke();
        }
        catch (ArgumentException ex)
        {
            problems.Add(ex.Message);
        }
    }
}
