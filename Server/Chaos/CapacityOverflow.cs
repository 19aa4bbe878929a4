namespace ResilientGrpc.Server.Chaos;

/// <summary>What a server in capacity mode does with a call that arrives while every handler is busy (<c>CHAOS_CAPACITY_OVERFLOW</c>).</summary>
public enum CapacityOverflow
{
    /// <summary>Refuse it at once with <c>UNAVAILABLE</c>, as a server that sheds load does.</summary>
    Shed,

    /// <summary>
    /// Queue it, first in first out and without bound, and serve it when a handler is free, even when its caller has left
    /// by then: the server keeps working for callers who are gone, as a server with an unbounded accept queue does.
    /// </summary>
    Queue,
}
