using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>A breaker over the scripted channel, on fake time, with the generated client on top.</summary>
internal sealed class BreakerHarness
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <param name="options">The breaker's options; the defaults when null.</param>
    /// <param name="clockOf">The breaker's clock, made of <see cref="Time"/>; <see cref="Time"/> itself when null.</param>
    public BreakerHarness(CircuitBreakerOptions? options = null, Func<FakeTimeProvider, TimeProvider>? clockOf = null)
    {
        Invoker = new ScriptedCallInvoker(Time);
        Breaker = new CircuitBreakerInterceptor(options ?? new CircuitBreakerOptions(), clockOf?.Invoke(Time) ?? Time);
        Breaker.StateChanged += (_, e) =>
        {
            lock (Transitions)
            {
                Transitions.Add(e);
            }
        };
        Client = new UnstableService.UnstableServiceClient(Invoker.Intercept(Breaker));
    }

    public FakeTimeProvider Time { get; } = new();

    public ScriptedCallInvoker Invoker { get; }

    public CircuitBreakerInterceptor Breaker { get; }

    public UnstableService.UnstableServiceClient Client { get; }

    /// <summary>Every StateChanged event, in the order raised.</summary>
    public List<CircuitStateChangedEventArgs> Transitions { get; } = [];

    /// <summary>Makes one unary call and returns its final status code.</summary>
    public async Task<StatusCode> ProcessAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var call = Client.ProcessAsync(new ProcessRequest(), cancellationToken: cancellationToken);
            await call.ResponseAsync.WaitAsync(Bound);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    /// <summary>Makes <paramref name="count"/> unary calls that the server fails with <paramref name="code"/>.</summary>
    public async Task FailAsync(int count, StatusCode code = StatusCode.Unavailable)
    {
        Invoker.Unary = ScriptedCallInvoker.FailWith(code);
        for (var i = 0; i < count; i++)
        {
            Assert.That(await ProcessAsync(), Is.EqualTo(code));
        }
    }

    /// <summary>Makes one unary call that the server answers with OK.</summary>
    public async Task SucceedAsync()
    {
        Invoker.Unary = static (_, _) => Task.FromResult<object?>(null);
        Assert.That(await ProcessAsync(), Is.EqualTo(StatusCode.OK));
    }

    /// <summary>Opens the circuit with the default five failures.</summary>
    public async Task OpenAsync()
    {
        await FailAsync(5);
        Assert.That(Breaker.State, Is.EqualTo(CircuitState.Open));
    }

    /// <summary>Awaits a call that must be rejected by the breaker and returns the rejection.</summary>
    public static async Task<BrokenCircuitException> RejectedAsync(Task task)
    {
        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => task.WaitAsync(Bound));
        return error!;
    }

    /// <summary>A responder that answers only when <paramref name="release"/> completes (or the call is cancelled).</summary>
    public static Func<Arrival, CancellationToken, Task<object?>> HoldUntil(Task release) =>
        async (_, token) =>
        {
            await release.WaitAsync(token);
            return null;
        };
}
