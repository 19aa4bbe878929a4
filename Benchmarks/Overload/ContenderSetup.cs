using ResilientGrpc.Benchmarks.Contenders;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>What a contender's stack may be built from.</summary>
/// <param name="Policy">The policy every contender shares (the library's defaults).</param>
/// <param name="ServerHandlers">The server's handlers, for a contender sized to the server (Polly's concurrency limit).</param>
/// <param name="BreakerOpened">Reports that the contender's breaker opened, for a breaker that tells by callback (Polly's); ours is heard on its meter.</param>
public sealed record ContenderSetup(PolicySettings Policy, int ServerHandlers, Action BreakerOpened);
