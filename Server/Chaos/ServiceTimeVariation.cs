namespace ResilientGrpc.Server.Chaos;

/// <summary>How the service time of a server in capacity mode varies from call to call (<c>CHAOS_SERVICE_TIME_VARIATION</c>).</summary>
public enum ServiceTimeVariation
{
    /// <summary>Every call takes exactly <see cref="ChaosOptions.ServiceTime"/>. Handlers then free up in step, so a server that sheds refuses calls in bursts.</summary>
    Constant,

    /// <summary>
    /// Each call's service time is drawn from an exponential distribution whose mean is <see cref="ChaosOptions.ServiceTime"/>
    /// (seeded by <see cref="ChaosOptions.Seed"/>): the same capacity, with handlers freeing up at random.
    /// </summary>
    Exponential,
}
