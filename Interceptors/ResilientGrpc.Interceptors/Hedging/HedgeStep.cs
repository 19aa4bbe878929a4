namespace ResilientGrpc.Interceptors.Hedging;

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
