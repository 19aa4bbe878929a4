namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// What capacity mode decided for one call on its arrival: refused (every handler busy and the overflow is
/// <see cref="CapacityOverflow.Shed"/>), or served by a handler after waiting <see cref="Wait"/> in the queue, for
/// <see cref="Service"/>. A refusal carries <see cref="Pushback"/> (<see cref="ChaosOptions.ErrorPushback"/>), as an
/// injected failure does.
/// </summary>
internal readonly record struct CapacityAdmission(bool Refused, TimeSpan Wait, TimeSpan Service, string? Pushback)
{
    /// <summary>Gets the admission of a server without a capacity limit: served at once, in no time.</summary>
    public static CapacityAdmission Unlimited { get; } = new(false, TimeSpan.Zero, TimeSpan.Zero, null);

    /// <summary>Gets a value indicating whether the call waited for a handler.</summary>
    public bool Queued => Wait > TimeSpan.Zero;

    /// <summary>Gets how long after its arrival the call's handler is done with it.</summary>
    public TimeSpan ServedAfter => Wait + Service;

    public static CapacityAdmission Shed(string? pushback) => new(true, TimeSpan.Zero, TimeSpan.Zero, pushback);

    public static CapacityAdmission Served(TimeSpan wait, TimeSpan service) => new(false, wait, service, null);
}
