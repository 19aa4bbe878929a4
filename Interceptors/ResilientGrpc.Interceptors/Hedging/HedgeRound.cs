using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>A hedged call's decisions about its next hedge, made by its loop; pure apart from the clock and the retry budget.</summary>
internal struct HedgeRound(HedgingEngine engine, in CallOptions options, TimeSpan delay)
{
    private readonly DateTime deadline = CallerDeadline.Of(options);

    public int Sent { get; set; } = 1;

    /// <summary>How long after now the next hedge may go; null when none may.</summary>
    public TimeSpan? NextWait { get; set; } = delay;

    /// <summary>The last attempt's failure, which is the call's if no attempt answers.</summary>
    public Exception? LastError { get; private set; }

    public HedgeStep Next(bool timerArmed)
    {
        if (timerArmed || NextWait is not { } wait || Sent >= engine.Policy.MaxAttempts)
        {
            return HedgeStep.Wait;
        }

        if (CallerDeadline.PassesWithin(deadline, wait, engine.Time))
        {
            // No hedge may start after the caller's deadline: those in flight decide the call.
            NextWait = null;
            return HedgeStep.DeadlinePasses;
        }

        if (wait > TimeSpan.Zero)
        {
            return HedgeStep.Arm;
        }

        if (!engine.AllowsHedge)
        {
            // The retry budget is spent (gRFC A6): no further hedge; those in flight decide the call.
            NextWait = null;
            return HedgeStep.Throttled;
        }

        NextWait = delay;
        return HedgeStep.Send;
    }

    /// <summary>An attempt failed: what that means for the call, and when the next hedge may go; takes a budget token unless <paramref name="stopped"/>.</summary>
    public HedgeFailure Failed(Exception error, bool stopped)
    {
        LastError = error;
        var failure = engine.Policy.Classify(error, callerDeadlineAhead: !CallerDeadline.PassesWithin(deadline, TimeSpan.Zero, engine.Time), out var pushback);
        if (failure is HedgeFailure.NonFatal or HedgeFailure.Pushback or HedgeFailure.PushbackStop && !stopped)
        {
            engine.FailedNonFatally();
        }

        NextWait = failure switch
        {
            HedgeFailure.NonFatal => TimeSpan.Zero,
            HedgeFailure.Pushback => pushback,
            _ => null,
        };
        return failure;
    }
}

internal enum HedgeStep
{
    Wait,

    Send,

    Arm,

    Throttled,

    DeadlinePasses,
}

internal enum HedgeFailure
{
    NonFatal,

    Pushback,

    PushbackStop,

    Refused,

    Fatal,
}
