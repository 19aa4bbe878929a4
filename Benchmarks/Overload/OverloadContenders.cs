using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// The contenders of the overload profile, in the order they run, each with its normal defaults: the list to add one to
/// (a name and the stack it puts on the channel). <c>--only</c> picks from it by name.
/// </summary>
public static class OverloadContenders
{
    /// <summary>
    /// Polly's concurrency limit: twice the server's handlers, the attempts the server can serve at once plus as many again
    /// on the way. Sized from the server, which a client does not usually know; the README says what that buys.
    /// </summary>
    public static int PollyPermitLimit(ContenderSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return 2 * setup.ServerHandlers;
    }

    /// <summary>Every contender, in the order a run takes them.</summary>
    public static IReadOnlyList<OverloadContender> All { get; } =
    [
        new("Bare", (invoker, _) => invoker, CallDeadline: true),
        new("GrpcBuiltInRetry", (invoker, _) => invoker, CallDeadline: true, ServiceConfig: setup => GrpcRetryServiceConfig.For(setup.Policy)),
        new("Polly", (invoker, setup) => invoker.Intercept(new PollyInterceptor(PollyPipelines.WithConcurrencyLimit(setup.Policy, PollyPermitLimit(setup), () => setup.BreakerOpened("Polly")))), HasBreaker: true),
        new("OursRetryOnly", (invoker, _) => invoker.WithResilience(new ResilienceOptions { CircuitBreaker = null })),
        new("OursWithoutLimit", (invoker, setup) => invoker.WithResilience(new ResilienceOptions { ConcurrencyLimit = null }, loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursDefault", (invoker, setup) => invoker.WithResilience(new ResilienceOptions(), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursNoWait", (invoker, setup) => invoker.WithResilience(Queued(TimeSpan.Zero), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursQueue20ms", (invoker, setup) => invoker.WithResilience(Queued(TimeSpan.FromMilliseconds(20)), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursQueue100ms", (invoker, setup) => invoker.WithResilience(Queued(TimeSpan.FromMilliseconds(100)), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursDefaultWithBudget", (invoker, setup) => invoker.WithResilience(new ResilienceOptions { Retry = new RetryOptions { Throttling = new RetryThrottlingOptions() } }, loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursLimitGradient", (invoker, setup) => Layered(invoker, setup, new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions())), HasBreaker: true),
        new("OursLimitAimd", (invoker, setup) => Layered(invoker, setup, new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Aimd })), HasBreaker: true),
        new("OursLimitFixed", (invoker, setup) => Layered(invoker, setup, new ConcurrencyLimitInterceptor(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = PollyPermitLimit(setup) })), HasBreaker: true),
        new("OursFixedAtCapacity", (invoker, setup) => invoker.WithResilience(AtCapacity(setup, TimeSpan.Zero), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursFixedAtCapacityQueue20ms", (invoker, setup) => invoker.WithResilience(AtCapacity(setup, TimeSpan.FromMilliseconds(20)), loggerFactory: setup.LoggerFactory), HasBreaker: true),
        new("OursThrottle", (invoker, setup) => Layered(invoker, setup, new AdaptiveThrottlingInterceptor(new AdaptiveThrottlingOptions())), HasBreaker: true),
    ];

    /// <summary>
    /// Our defaults with a <c>Fixed</c> limit at the server's handler count, which a client seldom knows: the best a limit
    /// can be sized, to compare the adaptive one with; attempts that find it reached wait up to <paramref name="wait"/>.
    /// </summary>
    private static ResilienceOptions AtCapacity(ContenderSetup setup, TimeSpan wait) =>
        new()
        {
            ConcurrencyLimit = new ConcurrencyLimitOptions
            {
                Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = setup.ServerHandlers, MaxQueueWait = wait,
            },
        };

    /// <summary>Our defaults, with attempts that find the limit reached waiting up to <paramref name="wait"/> for a slot (zero: refused at once).</summary>
    private static ResilienceOptions Queued(TimeSpan wait) =>
        new() { ConcurrencyLimit = new ConcurrencyLimitOptions { MaxQueueWait = wait } };

    /// <summary>Our default patterns stacked with <c>Intercept()</c>, with <paramref name="overload"/> between retry and the breaker.</summary>
    private static CallInvoker Layered(CallInvoker invoker, ContenderSetup setup, Interceptor overload) =>
        invoker.Intercept(
            new RetryInterceptor(new RetryOptions()),
            overload,
            new CircuitBreakerInterceptor(new CircuitBreakerOptions(), loggerFactory: setup.LoggerFactory),
            new DeadlineInterceptor(new DeadlineOptions()));
}
