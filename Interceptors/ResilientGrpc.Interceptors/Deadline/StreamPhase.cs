namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>Which limit of a <see cref="StreamWatch"/> passed.</summary>
internal enum StreamLimit
{
    None,
    FirstResponse,
    Idle,
}

/// <summary>Where a <see cref="StreamWatch"/> is in the life of its stream; it only moves forward.</summary>
internal enum StreamPhase
{
    /// <summary>A client-streaming caller is still writing: the wait for the answer has not begun.</summary>
    Writing,

    Waiting,

    /// <summary>The server has answered; only the idle limit, if any, remains.</summary>
    Answered,

    /// <summary>A limit passed; the timer is gone.</summary>
    Expired,

    /// <summary>The call ended or was disposed; the timer is gone.</summary>
    Settled,
}
