namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>Which limit of a <see cref="StreamWatch"/> passed.</summary>
internal enum StreamLimit
{
    None,

    /// <summary>The wait for the first response.</summary>
    FirstResponse,

    /// <summary>The longest time without a message.</summary>
    Idle,
}
