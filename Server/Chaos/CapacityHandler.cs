namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// The handler a served call took in capacity mode, for the server to say when the call was answered
/// (<see cref="Answered"/>); the default value took none (a refused call, or no capacity in force).
/// </summary>
internal readonly struct CapacityHandler(ServerCapacity? capacity, int index, long scheduledEnd)
{
    /// <summary>The call was answered now: its handler is free from now on, unless another call was given it since.</summary>
    public void Answered() => capacity?.Answered(index, scheduledEnd);
}
