using Microsoft.Extensions.Logging;
using ResilientGrpc.Benchmarks.Contenders;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>What a contender's stack may be built from.</summary>
/// <param name="Policy">The policy every contender shares (the library's defaults).</param>
/// <param name="ServerHandlers">The server's handlers, for a contender sized to the server (Polly's concurrency limit).</param>
/// <param name="BreakerOpened">Reports that the contender's breaker opened, and why, for a breaker that tells by callback (Polly's).</param>
/// <param name="LoggerFactory">A logger factory that hears our breaker open (and logs nothing else), for our stacks.</param>
public sealed record ContenderSetup(PolicySettings Policy, int ServerHandlers, Action<string> BreakerOpened, ILoggerFactory LoggerFactory);
