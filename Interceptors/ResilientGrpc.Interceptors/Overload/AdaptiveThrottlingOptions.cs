using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Settings of an <see cref="AdaptiveThrottlingInterceptor"/>: client-side adaptive throttling (Site Reliability
/// Engineering, "Handling Overload"). Over the last <see cref="Window"/> it counts the attempts it was asked to send
/// (requests) and those the server accepted (accepts), and refuses each new attempt locally with probability
/// max(0, (requests − <see cref="Multiplier"/> × accepts) / (requests + 1)). The interceptor validates and copies them
/// when it is constructed.
/// </summary>
public sealed class AdaptiveThrottlingOptions
{
    /// <summary>
    /// K: how many requests per accepted one the client may send before it starts refusing. 2 lets twice as many
    /// attempts through as the server accepts, so random failures that retries absorb never throttle, and the server
    /// still sees enough attempts to say when it has recovered.
    /// </summary>
    /// <value>The default value is 2. Must be greater than 1 and at most 10.</value>
    public double Multiplier { get; set; } = 2;

    /// <summary>The sliding window over which requests and accepts are counted (10 buckets of a tenth each).</summary>
    /// <value>The default value is 2 seconds, so traffic comes back within about 2 s of the server recovering. Must be at least 100 ms and at most 10 minutes.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The statuses by which a server says it did not accept an attempt (it refused it for overload). Any other
    /// outcome the server sends is an accept; the caller's cancellation and local refusals count as neither.
    /// </summary>
    /// <value>The default value is {Unavailable, ResourceExhausted}. Must not be empty and must not contain OK or Cancelled.</value>
    public ISet<StatusCode> OverloadStatusCodes { get; set; } = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.ResourceExhausted };

    /// <summary>Checks every setting and reports all invalid ones at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message names each with its allowed range.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems.Scope(nameof(AdaptiveThrottlingOptions)));
        problems.ThrowIfAny(nameof(AdaptiveThrottlingOptions));
    }

    /// <summary>Records every invalid setting in <paramref name="problems"/>, scoped to these options.</summary>
    internal void Validate(OptionsProblems problems)
    {
        problems.Check(Multiplier is > 1 and <= 10, nameof(Multiplier), Multiplier, "it must be greater than 1 and at most 10");
        problems.Check(
            Window >= TimeSpan.FromMilliseconds(100) && Window <= TimeSpan.FromMinutes(10), nameof(Window), Window, "it must be at least 100 ms and at most 10 minutes");
        problems.CheckFailureStatusCodes(OverloadStatusCodes, nameof(OverloadStatusCodes));
    }
}
