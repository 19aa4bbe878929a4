using ResilientGrpc.Interceptors.CircuitBreaker;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// Client-side adaptive throttling (Site Reliability Engineering, "Handling Overload"): over a sliding window, the
/// attempts asked for (requests, its own refusals included) and those the server accepted (accepts); each new attempt
/// is refused locally with probability max(0, (requests − K × accepts) / (requests + 1)). Lock-free.
/// </summary>
/// <remarks>
/// The window counts an attempt when it ends, as a request and, unless the server refused it for overload, an accept;
/// an attempt refused here counts at once as a request that was not accepted, which is what lets the probability rise
/// to meet a server that accepts nothing. The caller's cancellation and refusals by another of our layers count as
/// neither.
/// </remarks>
internal sealed class AdaptiveThrottle : IAttemptWatcher
{
    private readonly RollingWindow window;
    private readonly OutcomeClassifier classifier;
    private readonly double multiplier;
    private readonly Func<double> random;

    public AdaptiveThrottle(AdaptiveThrottlingOptions options, TimeProvider time, Func<double>? random)
    {
        window = new RollingWindow(options.Window, time);
        classifier = new OutcomeClassifier(options.OverloadStatusCodes);
        multiplier = options.Multiplier;
        this.random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The probability that a new attempt is refused now.</summary>
    public double RefusalProbability
    {
        get
        {
            var (requests, accepts) = Counts();
            return Math.Max(0, (requests - (multiplier * accepts)) / (requests + 1));
        }
    }

    /// <summary>The requests and accepts in the window now.</summary>
    public (int Requests, int Accepts) Counts()
    {
        var (requests, refused) = window.Totals();
        return (requests, requests - refused);
    }

    /// <summary>Whether to send a new attempt: false, counted as a request not accepted, when it is refused.</summary>
    public bool TryAdmit()
    {
        var probability = RefusalProbability;
        // Stryker disable once Equality : "<= 0" as "< 0" only draws a number for a probability of 0, and every draw is at least 0, so the attempt is admitted all the same.
        if (probability <= 0 || random() >= probability)
        {
            return true;
        }

        window.Record(failure: true);
        return false;
    }

    /// <summary>An admitted attempt ended with <paramref name="error"/> (null: success).</summary>
    public void Ended(Exception? error, CancellationToken callerToken, CancellationToken readToken)
    {
        var outcome = classifier.Classify(error, callerToken, readToken);
        if (outcome != CallOutcome.Ignored)
        {
            window.Record(failure: outcome == CallOutcome.Failure);
        }
    }

    /// <inheritdoc />
    void IAttemptWatcher.OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) =>
        Ended(error, callerToken, default);
}
