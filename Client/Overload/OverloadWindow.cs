namespace ResilientGrpc.Client.Overload;

/// <summary>
/// One counting window of a run: the calls due in it (offered), the calls that ended in it by how they ended, and the
/// attempts the server received in it, retries included.
/// </summary>
/// <param name="Index">The window's number from the start of the load, from 0.</param>
/// <param name="Start">When it starts, from the start of the load.</param>
/// <param name="Offered">Calls due in it (the open-loop load: started whether or not earlier calls ended).</param>
/// <param name="Ok">Calls that ended in it with an answer.</param>
/// <param name="ServerUnavailable">Calls that ended in it with the server's <c>UNAVAILABLE</c>.</param>
/// <param name="DeadlineExceeded">Calls whose deadline passed in it.</param>
/// <param name="RefusedLocally">Calls the library refused in it for overload without sending them.</param>
/// <param name="BreakerRejected">Calls the open circuit rejected in it.</param>
/// <param name="OtherErrors">Calls that ended in it with any other error.</param>
/// <param name="Received">Attempts the server received in it (its own count).</param>
internal sealed record OverloadWindow(
    int Index,
    TimeSpan Start,
    long Offered,
    long Ok,
    long ServerUnavailable,
    long DeadlineExceeded,
    long RefusedLocally,
    long BreakerRejected,
    long OtherErrors,
    long Received)
{
    /// <summary>Gets the calls that ended in the window, however they ended.</summary>
    public long Ended => Ok + ServerUnavailable + DeadlineExceeded + RefusedLocally + BreakerRejected + OtherErrors;

    /// <summary>Gets the share of the calls that ended in the window with an answer, from 0 to 1; 0 when none ended.</summary>
    public double SuccessRatio => Ended == 0 ? 0 : (double)Ok / Ended;
}
