using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>
/// Every attempt and every call is counted exactly once, whatever subset of the interceptors is stacked and in
/// whatever order.
/// </summary>
public sealed class CallCountingTests : TelemetryTestBase
{
    /// <summary>
    /// Stacks, outermost first: R retry, B breaker, D deadline (10 s, so that with D outermost the whole call, backoff
    /// included, still fits in it and every stack sees the same scenario).
    /// </summary>
    public static IEnumerable<TestCaseData> Stacks()
    {
        yield return new TestCaseData("R", 3).SetName("Counts_AlwaysUnavailable_R_3Attempts1Call");
        yield return new TestCaseData("B", 1).SetName("Counts_AlwaysUnavailable_B_1Attempt1Call");
        yield return new TestCaseData("D", 1).SetName("Counts_AlwaysUnavailable_D_1Attempt1Call");
        yield return new TestCaseData("RB", 3).SetName("Counts_AlwaysUnavailable_RB_3Attempts1Call");
        yield return new TestCaseData("RD", 3).SetName("Counts_AlwaysUnavailable_RD_3Attempts1Call");
        yield return new TestCaseData("BD", 1).SetName("Counts_AlwaysUnavailable_BD_1Attempt1Call");
        yield return new TestCaseData("RBD", 3).SetName("Counts_AlwaysUnavailable_RBD_3Attempts1Call");
        yield return new TestCaseData("DBR", 3).SetName("Counts_AlwaysUnavailable_DBR_3Attempts1Call");
        yield return new TestCaseData("BRD", 3).SetName("Counts_AlwaysUnavailable_BRD_3Attempts1Call");
        yield return new TestCaseData("DR", 3).SetName("Counts_AlwaysUnavailable_DR_3Attempts1Call");
        yield return new TestCaseData("BR", 3).SetName("Counts_AlwaysUnavailable_BR_3Attempts1Call");

        // F: an interceptor of someone else's, between ours, that replaces the call's write options.
        yield return new TestCaseData("RFBD", 3).SetName("Counts_AlwaysUnavailable_RFBD_ForeignWriteOptionsBelowRetry_3Attempts1Call");
        yield return new TestCaseData("RBFD", 3).SetName("Counts_AlwaysUnavailable_RBFD_ForeignWriteOptionsAboveDeadline_3Attempts1Call");
        yield return new TestCaseData("FRBD", 3).SetName("Counts_AlwaysUnavailable_FRBD_ForeignWriteOptionsOutermost_3Attempts1Call");
        yield return new TestCaseData("BFR", 3).SetName("Counts_AlwaysUnavailable_BFR_ForeignWriteOptionsAboveRetry_3Attempts1Call");
    }

    /// <summary>Stacks holding a breaker, for calls it rejects.</summary>
    public static IEnumerable<TestCaseData> BreakerStacks()
    {
        foreach (var stack in new[] { "B", "RB", "BD", "RBD", "DBR", "BRD", "DB" })
        {
            yield return new TestCaseData(stack).SetName($"Counts_BreakerRejects_{stack}_1CallNoAttempt");
        }
    }

    [TestCaseSource(nameof(Stacks))]
    public async Task Counts_AlwaysUnavailable(string stack, int attempts)
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var attemptDurations = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        using var retries = Collect<long>("grpc.client.call.retries");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Build(stack));

        var error = await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(attempts), "attempts that reached the network");
        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(attempts), "attempts started");
        Assert.That(attemptDurations.GetMeasurementSnapshot(), Has.Count.EqualTo(attempts), "attempts ended");
        Assert.That(attemptDurations.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.status")), Is.All.EqualTo("UNAVAILABLE"));
        Assert.That(calls.GetMeasurementSnapshot(), Has.Count.EqualTo(1), "calls");
        Assert.That(Tag(calls.GetMeasurementSnapshot()[0], "grpc.status"), Is.EqualTo("UNAVAILABLE"));
        Assert.That(retries.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(attempts > 1 ? new long[] { attempts - 1 } : Array.Empty<long>()));
    }

    [TestCaseSource(nameof(Stacks))]
    public async Task Counts_Succeeds(string stack, int attempts)
    {
        _ = attempts;
        using var started = Collect<long>("grpc.client.attempt.started");
        using var calls = Collect<double>("grpc.client.call.duration");

        await Client(Build(stack)).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(calls.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.status")), Is.EqualTo(new[] { "OK" }));
    }

    [TestCaseSource(nameof(BreakerStacks))]
    public async Task Counts_BreakerRejects(string stack)
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var attemptDurations = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        var interceptors = Build(stack);
        interceptors.OfType<CircuitBreakerInterceptor>().Single().Isolate();

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(
            () => Client(interceptors).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.Zero);
        Assert.That(started.GetMeasurementSnapshot(), Is.Empty, "a rejection is no attempt");
        Assert.That(attemptDurations.GetMeasurementSnapshot(), Is.Empty);
        Assert.That(calls.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.status")), Is.EqualTo(new[] { "UNAVAILABLE" }));
    }

    [Test]
    public async Task Counts_BlockingUnaryThroughFullStack_3Attempts1Call()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var calls = Collect<double>("grpc.client.call.duration");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Build("RBD"));

        var error = await FailsAfterBackoffs(() => Task.Run(() => client.Process(Request())), 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(3));
        Assert.That(calls.GetMeasurementSnapshot(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Counts_ServerStreamThroughFullStack_1Attempt1Call()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var calls = Collect<double>("grpc.client.call.duration");
        var client = Client(Build("RBD"));

        using var call = client.Subscribe(new Protos.SubscribeRequest { Count = 0 });
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
        {
        }

        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(calls.GetMeasurementSnapshot().Select(m => Tag(m, "grpc.status")), Is.EqualTo(new[] { "OK" }));
    }

    [Test]
    public void AsyncUnaryCall_NothingListensNoLogger_ReturnsContinuationsOwnCall()
    {
        var own = new AsyncUnaryCall<Protos.ProcessReply>(
            Task.FromResult(new Protos.ProcessReply()), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        var context = new ClientInterceptorContext<Protos.ProcessRequest, Protos.ProcessReply>(
            ProcessMethod(), null, default);

        var deadline = Deadline(log: false).AsyncUnaryCall(Request(), context, (_, _) => own);
        var notRetried = Retry(new RetryOptions { NonRetryableMethods = { "unstable.v1.UnstableService" } }, log: false)
            .AsyncUnaryCall(Request(), context, (_, _) => own);

        Assert.That(ReferenceEquals(deadline, own), Is.True, "the deadline interceptor does not wrap");
        Assert.That(ReferenceEquals(notRetried, own), Is.True, "a method retry leaves alone is not wrapped");
    }

    [Test]
    public async Task AsyncUnaryCall_NothingListens_PassesNoTelemetryStateDown()
    {
        await Client(Build("BD")).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);
        await Client(Build("RBD")).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Network.Arrivals[0].Options.WriteOptions, Is.Null, "without retry, no per-call state is created");
        var retried = Network.Arrivals[1].Options.WriteOptions as ResilienceCallContext;
        Assert.That(retried, Is.Not.Null, "a retried call carries the state its breaker needs to tell attempts from calls");
        Assert.That(retried, Is.Not.InstanceOf<RecordedCallContext>(), "but no telemetry state");
    }

    [Test]
    public async Task ForeignWriteOptions_BetweenRetryAndBreaker_BreakerStillCountsCallsNotAttemptsAndTheFlagsReachTheNetwork()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var breaker = Breaker();
        var client = Client([Retry(), new ReplacingWriteOptionsInterceptor(), breaker, Deadline()]);

        for (var call = 0; call < 2; call++)
        {
            var error = await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);
            Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        // Counted as attempts, the six failures would have opened the breaker at its fifth.
        Assert.That(Network.Count, Is.EqualTo(6));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "2 failed calls, not 6");
        Assert.That(Network.Arrivals.Select(a => a.Options.WriteOptions?.Flags), Is.All.EqualTo(WriteFlags.NoCompress));
    }

    private Interceptor[] Build(string stack) =>
        [.. stack.Select(letter => letter switch
        {
            'F' => new ReplacingWriteOptionsInterceptor(),
            'R' => (Interceptor)Retry(),
            'B' => Breaker(),
            'D' => Deadline(new DeadlineOptions { Timeout = TimeSpan.FromSeconds(10) }),
            _ => throw new ArgumentOutOfRangeException(nameof(stack)),
        })];

    private static Method<Protos.ProcessRequest, Protos.ProcessReply> ProcessMethod() =>
        new(
            MethodType.Unary,
            "unstable.v1.UnstableService",
            "Process",
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), Protos.ProcessRequest.Parser.ParseFrom),
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), Protos.ProcessReply.Parser.ParseFrom));
}
