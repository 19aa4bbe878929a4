namespace ResilientGrpc.Interceptors.Hedging;

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
