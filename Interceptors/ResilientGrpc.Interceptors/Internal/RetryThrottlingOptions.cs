using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The retry budget of gRFC A6: a token bucket shared by every call through one <see cref="RetryInterceptor"/> or
/// <see cref="HedgingInterceptor"/>, or, when they are stacked by <see cref="ResilienceOptions"/>, one budget for both.
/// Each attempt that fails with a retryable (or, when hedged, non-fatal) status takes one token, each success gives
/// back <see cref="TokenRatio"/>; retries and hedges are sent only while more than half of <see cref="MaxTokens"/>
/// remain. A first attempt is never blocked. A server-streaming call counts as a success once it commits.
/// </summary>
public sealed class RetryThrottlingOptions
{
    /// <summary>Gets or sets the size of the bucket, which starts full.</summary>
    /// <value>The default value is 10. Must be between 1 and 1000.</value>
    public int MaxTokens { get; set; } = 10;

    /// <summary>Gets or sets how many tokens a successful call gives back.</summary>
    /// <value>The default value is 0.1. Must be greater than 0 and at most 1.</value>
    public double TokenRatio { get; set; } = 0.1;

    internal void Validate(OptionsProblems problems)
    {
        problems.Check(MaxTokens is >= 1 and <= 1000, nameof(MaxTokens), MaxTokens, "it must be between 1 and 1000");
        problems.Check(TokenRatio is > 0 and <= 1, nameof(TokenRatio), TokenRatio, "it must be greater than 0 and at most 1");
    }
}
