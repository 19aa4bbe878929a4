namespace ResilientGrpc.Interceptors.Internal;

/// <summary>What an owner of several attempts reports of them to the layers below (<see cref="CallAttempts.DeclareAttempts"/>).</summary>
internal enum AttemptsReport
{
    /// <summary>
    /// Only the call's commit and final failure: the attempts overlap (hedging), or go on after the outcome the owner
    /// awaits (a stream's first message), so a layer below that must learn an attempt's end observes it itself.
    /// </summary>
    None,

    /// <summary>Also the end of each attempt: the owner sends them one after another and awaits each to its end.</summary>
    Sequential,
}
