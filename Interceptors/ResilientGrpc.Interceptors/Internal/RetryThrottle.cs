using System.Diagnostics;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>The gRFC A6 token bucket, lock-free: tokens in thousandths (A6's three decimals), in one int updated by compare-and-swap.</summary>
internal sealed class RetryThrottle
{
    private const int Scale = 1000;
    private readonly int maxTokens;
    private readonly int threshold;
    private readonly int successIncrement;
    private int tokens;

    public RetryThrottle(RetryThrottlingOptions options)
    {
        Debug.Assert(options.MaxTokens is >= 1 and <= 1000, "Options are validated before use.");
        maxTokens = options.MaxTokens * Scale;
        threshold = maxTokens / 2;
        successIncrement = Math.Max(1, (int)Math.Round(options.TokenRatio * Scale));
        tokens = maxTokens;
    }

    public static RetryThrottle? For(RetryThrottlingOptions? options) => options is null ? null : new RetryThrottle(options);

    public double Tokens => (double)Volatile.Read(ref tokens) / Scale;

    public bool AllowsRetry => Volatile.Read(ref tokens) > threshold;

    /// <summary>An attempt failed with a retryable (or non-fatal) status: takes one token.</summary>
    public void RecordFailure() => Update(-Scale);

    public void RecordSuccess() => Update(successIncrement);

    private void Update(int delta)
    {
        var current = Volatile.Read(ref tokens);
        while (true)
        {
            var next = Math.Clamp(current + delta, 0, maxTokens);
            // Stryker disable once Block,Statement : without the early return, swapping current for itself succeeds and returns just the same.
            if (next == current)
            {
                return;
            }

            var seen = Interlocked.CompareExchange(ref tokens, next, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
