namespace ResilientGrpc.Interceptors.Internal;

/// <summary>What an owner of several attempts reports of them to the layers below (<see cref="CallAttempts.DeclareAttempts"/>).</summary>
internal enum AttemptsReport
{
    None,

    Sequential,
}
