using System.Collections.Concurrent;

namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// The random numbers of <see cref="ChaosOptions.PerRequestDecisions"/>: the draws for the n-th call of a method carrying
/// a request id are a pure function of the seed, the method, the id and n, so every client that sends the same requests meets the same
/// fates, call by call, however its concurrent calls interleave. Thread-safe.
/// </summary>
/// <remarks>
/// The id's arrival count is kept until the settings are next applied; one entry per distinct id, so a server that
/// receives unbounded distinct ids grows with them (this mode is for benchmarks and tests).
/// </remarks>
internal sealed class RequestDraws(int seed)
{
    private readonly ConcurrentDictionary<(string Method, string Id), int> arrivals = new();

    /// <summary>
    /// The two draws in [0,1) for the next call of <paramref name="method"/> carrying <paramref name="requestId"/> (the
    /// same id on two methods is two requests): the fate, and the status code.
    /// </summary>
    public (double Fate, double Code) Next(string method, string requestId)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(requestId);
        var arrival = arrivals.AddOrUpdate((method, requestId), 0, static (_, n) => n + 1);

        // The hash of "method id", read in one pass over both without building the string.
        var state = Mix(((ulong)(uint)seed << 32) ^ Hash(requestId, Hash(" ", Hash(method))) ^ ((ulong)arrival * 0x9E3779B97F4A7C15UL));
        var second = Mix(state);
        return (ToUnit(state), ToUnit(second));
    }

    private const ulong FnvOffset = 14695981039346656037UL;

    /// <summary>
    /// FNV-1a over <paramref name="value"/>'s UTF-16 code units, continuing from <paramref name="hash"/>: stable across
    /// processes, unlike <see cref="string.GetHashCode()"/>.
    /// </summary>
    private static ulong Hash(string value, ulong hash = FnvOffset)
    {
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>SplitMix64's finaliser: spreads every input bit over the whole output.</summary>
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>The top 53 bits as a double in [0,1).</summary>
    private static double ToUnit(ulong value) => (value >> 11) * (1.0 / (1UL << 53));
}
