namespace ResilientGrpc.Interceptors.Overload;

/// <summary>An attempt waiting in a <see cref="ConcurrencyLimiter"/>'s line for a slot.</summary>
internal abstract class SlotWaiter
{
    /// <summary>Where it stands in the line; the limiter's to set and read under its lock.</summary>
    public LinkedListNode<SlotWaiter>? Place { get; set; }

    /// <summary>Gives it the slot admitted with <paramref name="token"/>; false when it no longer waits (the slot is then the limiter's again).</summary>
    public abstract bool TryGrant(long token);
}
