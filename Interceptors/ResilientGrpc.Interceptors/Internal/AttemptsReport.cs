namespace ResilientGrpc.Interceptors.Internal;

/// <summary>What an owner of several attempts reports of them to the layers below (<see cref="CallAttempts.DeclareAttempts"/>).</summary>
internal enum AttemptsReport
{
    /// <summary>
    /// Only the call's fate: its commit and its final failure. The owner's attempts overlap (hedging), or an attempt
    /// goes on after the outcome the owner awaits (a stream after its first message), so a layer below that must
    /// learn how an attempt ends observes it itself.
    /// </summary>
    None,

    /// <summary>Also the end of each attempt: the owner sends them one after another and awaits each to its end.</summary>
    Sequential,
}
