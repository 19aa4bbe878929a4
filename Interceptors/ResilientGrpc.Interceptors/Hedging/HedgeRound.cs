using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>A hedged call's decisions about its next hedge, made by its loop; pure apart from the clock and the retry budget.</summary>
internal struct HedgeRound(HedgingEngine engine, in CallOptions options, TimeSpan delay)
{
    private readonly DateTime deadline = CallerDeadline.Of(options);

    /// <summary>Attempts sent so far, the first included.</summary>
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

    /// <summary>
    /// An attempt failed with <paramref name="error"/>: what it means for the call, and when the next hedge may go. A
    /// non-fatal failure takes a token from the retry budget unless the call was <paramref name="stopped"/>.
    /// </summary>
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

/// <summary>What a hedged call's loop does next about the next hedge (<see cref="HedgeRound.Next"/>).</summary>
internal enum HedgeStep
{
    /// <summary>Nothing: no hedge is due (the timer runs, the attempts are spent, or none may follow).</summary>
    Wait,

    Send,

    Arm,

    /// <summary>The retry budget holds the next hedge back: no further hedge is sent.</summary>
    Throttled,

    /// <summary>The caller's deadline passes before the next hedge could start: no further hedge is sent.</summary>
    DeadlinePasses,
}

/// <summary>What the failure of one attempt of a hedged call means for the call.</summary>
internal enum HedgeFailure
{
    /// <summary>A non-fatal status without pushback: the next hedge goes at once.</summary>
    NonFatal,

    /// <summary>A non-fatal status with a pushback of zero or more: the next hedge goes after that delay.</summary>
    Pushback,

    /// <summary>A non-fatal status with a negative or unreadable pushback: no more hedges; those in flight go on.</summary>
    PushbackStop,

    /// <summary>Refused by an interceptor below (an open circuit): not sent, no more hedges; fatal only if none is in flight.</summary>
    Refused,

    /// <summary>Any other failure: it is the call's, and the other attempts are cancelled.</summary>
    Fatal,
}
