using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Stacking;

namespace ResilientGrpc.Interceptors;

/// <summary>Stacks the resilience interceptors on a channel or call invoker in one line.</summary>
/// <remarks>
/// The order is hedging (when configured) → retry → circuit breaker → deadline, outermost first: a call gets either
/// retry or hedging; the breaker admits each attempt and counts a retried or hedged call once; each attempt gets its own
/// deadline, bounded by the caller's. The stack runs the same per-call code as the interceptors stacked with <c>Intercept()</c>.
/// </remarks>
public static class ResilienceCallInvokerExtensions
{
    /// <summary>Returns a call invoker for <paramref name="channel"/> with the patterns of <paramref name="options"/> stacked on it.</summary>
    /// <param name="channel">The channel to call through.</param>
    /// <param name="options">The patterns to apply; <see langword="null"/> applies all three with their defaults.</param>
    /// <param name="timeProvider">The clock for deadlines, backoff and break durations; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the interceptors log; nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <returns>A call invoker to build generated clients on.</returns>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is invalid.</exception>
    public static CallInvoker WithResilience(
        this ChannelBase channel,
        ResilienceOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return Stack(channel.CreateCallInvoker(), options, timeProvider, loggerFactory, meterFactory, channel.Target);
    }

    /// <summary>Returns <paramref name="invoker"/> with the patterns of <paramref name="options"/> stacked on it.</summary>
    /// <param name="invoker">The call invoker to wrap.</param>
    /// <param name="options">The patterns to apply; <see langword="null"/> applies all three with their defaults.</param>
    /// <param name="timeProvider">The clock for deadlines, backoff and break durations; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where the interceptors log; nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <returns>A call invoker to build generated clients on.</returns>
    /// <exception cref="ArgumentException">A setting in <paramref name="options"/> is invalid.</exception>
    public static CallInvoker WithResilience(
        this CallInvoker invoker,
        ResilienceOptions? options = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(invoker);
        return Stack(invoker, options, timeProvider, loggerFactory, meterFactory, target: null);
    }

    private static CallInvoker Stack(
        CallInvoker invoker,
        ResilienceOptions? options,
        TimeProvider? timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory,
        string? target)
    {
        var stack = ResilienceStack.Create(options ?? new ResilienceOptions(), timeProvider, loggerFactory, meterFactory, target);
        return stack.IsEmpty ? invoker : new ResilientCallInvoker(invoker, stack);
    }
}
