using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.OutlierDetection;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// The library on a UI thread: every call kind made on a thread with a single-threaded
/// <see cref="SynchronizationContext"/>, as a WinForms or WPF application makes it, blocking that thread until the
/// call is over. A layer that resumed on the caller's context would deadlock there (its continuation waits for the
/// thread the caller blocks), and an async call would hop back to the UI thread between attempts. Each call's first
/// attempt reaches the server and fails with UNAVAILABLE, so the retry (or the next hedge) runs; the context must see
/// nothing posted by the library.
/// </summary>
public sealed class CallerThreadTests
{
    private const int Seed = 20261205;
    private const string Process = "/unstable.v1.UnstableService/Process";
    private const string Subscribe = "/unstable.v1.UnstableService/Subscribe";
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
    private ReplicaSet server = null!;

    public enum Stack
    {
        /// <summary>No library: the channel alone, which the harness must see post nothing either.</summary>
        Bare,

        /// <summary><c>WithResilience</c> with the defaults (a short backoff).</summary>
        Default,

        /// <summary>The default stack with <c>Process</c> and <c>Subscribe</c> hedged.</summary>
        Hedged,

        /// <summary>The three interceptors stacked with <c>Intercept()</c>.</summary>
        Intercepted,
    }

    /// <summary>A server on loopback Kestrel, as an application would call one over the network.</summary>
    [OneTimeSetUp]
    public async Task StartServer() => server = await ReplicaSet.StartAsync(Chaos());

    [OneTimeTearDown]
    public async Task StopServer() => await server.DisposeAsync();

    private ReplicaSet.Replica Host => server.Replicas[0];

    /// <summary>
    /// Half the attempts fail, decided per request id and attempt (afresh for each test), so a chosen id's first
    /// attempt fails and its second is served, whichever layer sends it.
    /// </summary>
    [SetUp]
    public void ResetServer()
    {
        Host.Controller.Apply(Chaos());
        Host.Statistics.Reset();
    }

    [TestCase(Stack.Default)]
    [TestCase(Stack.Hedged)]
    [TestCase(Stack.Intercepted)]
    public async Task BlockingUnary_OnUiThread_FirstAttemptFails_ReturnsTheRetriedAnswer(Stack stack)
    {
        using var ui = new UiThread();
        var client = Client(stack, out var channel);
        using var _ = channel;
        var id = FirstAttemptFails(Process);

        var reply = await ui.Run(() => client.Process(new ProcessRequest { RequestId = id, Payload = "ui" })).WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("processed 2 chars: iu"));
        Assert.That(Host.Statistics.CallsTo("Process"), Is.EqualTo(2), "the failed attempt and the one that answered");
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    [TestCase(Stack.Default)]
    [TestCase(Stack.Hedged)]
    [TestCase(Stack.Intercepted)]
    public async Task AsyncUnary_StartedOnUiThreadThatThenBlocks_FirstAttemptFails_CompletesWithoutPostingToIt(Stack stack)
    {
        using var ui = new UiThread();
        var client = Client(stack, out var channel);
        using var _ = channel;
        var id = FirstAttemptFails(Process);

        // `.Result` on the UI thread: the classic deadlock if the library resumes there between attempts.
        var reply = await ui.Run(() =>
        {
            using var call = client.ProcessAsync(new ProcessRequest { RequestId = id, Payload = "ui" });
            return Wait(call.ResponseAsync);
        }).WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("processed 2 chars: iu"));
        Assert.That(Host.Statistics.CallsTo("Process"), Is.EqualTo(2));
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    [TestCase(Stack.Default)]
    [TestCase(Stack.Hedged)]
    [TestCase(Stack.Intercepted)]
    public async Task ServerStreaming_ReadOnUiThread_FirstAttemptFails_StreamsEveryEventWithoutPostingToIt(Stack stack)
    {
        using var ui = new UiThread();
        var client = Client(stack, out var channel);
        using var _ = channel;
        var id = FirstAttemptFails(Subscribe);

        var events = await ui.Run(() =>
        {
            using var call = client.Subscribe(new SubscribeRequest { Count = 3 }, new Metadata { { "x-request-id", id } });
            var sequences = new List<int>();
            while (Wait(call.ResponseStream.MoveNext(CancellationToken.None)))
            {
                sequences.Add(call.ResponseStream.Current.Sequence);
            }

            return sequences;
        }).WaitAsync(Bound);

        Assert.That(events, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(Host.Statistics.CallsTo("Subscribe"), Is.EqualTo(2));
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    [TestCase(Stack.Bare)]
    [TestCase(Stack.Default)]
    [TestCase(Stack.Hedged)]
    [TestCase(Stack.Intercepted)]
    public async Task ClientStreaming_WrittenOnUiThread_AnswersWithoutPostingToIt(Stack stack)
    {
        using var ui = new UiThread();
        var client = Client(stack, out var channel);
        using var _ = channel;
        var id = Served("/unstable.v1.UnstableService/Upload");

        var reply = await ui.Run(() =>
        {
            using var call = client.Upload(new Metadata { { "x-request-id", id } });
            Wait(call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFromUtf8("abc") }));
            Wait(call.RequestStream.WriteAsync(new Chunk { Data = ByteString.CopyFromUtf8("de") }));
            Wait(call.RequestStream.CompleteAsync());
            return Wait(call.ResponseAsync);
        }).WaitAsync(Bound);

        Assert.That(reply.TotalBytes, Is.EqualTo(5));
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    [TestCase(Stack.Bare)]
    [TestCase(Stack.Default)]
    [TestCase(Stack.Hedged)]
    [TestCase(Stack.Intercepted)]
    public async Task Duplex_UsedOnUiThread_EchoesWithoutPostingToIt(Stack stack)
    {
        using var ui = new UiThread();
        var client = Client(stack, out var channel);
        using var _ = channel;
        var id = Served("/unstable.v1.UnstableService/Echo");

        var echoed = await ui.Run(() =>
        {
            using var call = client.Echo(new Metadata { { "x-request-id", id } });
            Wait(call.RequestStream.WriteAsync(new EchoMessage { Text = "hello" }));
            Wait(call.ResponseStream.MoveNext(CancellationToken.None));
            var text = call.ResponseStream.Current.Text;
            Wait(call.RequestStream.CompleteAsync());
            Assert.That(Wait(call.ResponseStream.MoveNext(CancellationToken.None)), Is.False);
            return text;
        }).WaitAsync(Bound);

        Assert.That(echoed, Does.Contain("hello"));
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    [Test]
    public async Task BlockingAndAsyncUnary_OnUiThread_UnderOutlierDetectionWithOneFailingReplica_AnswerWithoutPostingToIt()
    {
        await using var fleet = await ReplicaSet.StartAsync(
            new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = [StatusCode.Unavailable] },
            new ChaosOptions());
        var services = new ServiceCollection()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [.. fleet.Replicas.Select(r => new BalancerAddress(r.EndPoint.Host, r.EndPoint.Port))]))
            .BuildServiceProvider();
        using var channel = GrpcChannel.ForAddress("static:///ui", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceProvider = services,
        }.UseOutlierDetection());
        await channel.ConnectAsync().WaitAsync(Bound);
        var client = new UnstableService.UnstableServiceClient(channel.WithResilience(Options(hedged: false)));
        using var ui = new UiThread();

        var replies = await ui.Run(() =>
        {
            var results = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                results.Add(client.Process(new ProcessRequest { RequestId = $"b{i}", Payload = "ab" }).Result);
                using var call = client.ProcessAsync(new ProcessRequest { RequestId = $"a{i}", Payload = "ab" });
                results.Add(Wait(call.ResponseAsync).Result);
            }

            return results;
        }).WaitAsync(Bound);

        Assert.That(replies, Has.Count.EqualTo(8).And.All.EqualTo("processed 2 chars: ba"));
        Assert.That(fleet.Replicas[0].Statistics.TotalCalls, Is.GreaterThan(0), "some first attempts met the failing replica and were retried");
        Assert.That(ui.Posted, Is.Zero, "nothing was posted to the UI thread's context");
    }

    /// <summary>The stack under test with short waits: a 50 ms backoff, and (hedged) a second copy after 1 s.</summary>
    private static ResilienceOptions Options(bool hedged) => new()
    {
        Retry = new RetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(50), JitterFactor = 0 },
        Hedging = hedged ? new HedgingOptions { HedgedMethods = new HashSet<string> { Process, Subscribe }, Delay = TimeSpan.FromSeconds(1) } : null,
    };

    /// <summary>Waits for <paramref name="task"/> on the calling thread, as UI code calling <c>.Result</c> does.</summary>
    private static T Wait<T>(Task<T> task) =>
        task.Wait(Bound) ? task.Result : throw new TimeoutException("the call did not complete: the caller's thread is deadlocked");

    private static void Wait(Task task)
    {
        if (!task.Wait(Bound))
        {
            throw new TimeoutException("the call did not complete: the caller's thread is deadlocked");
        }
    }

    /// <summary>A request id whose first attempt of <paramref name="method"/> the server fails and whose second it serves.</summary>
    private static string FirstAttemptFails(string method) => IdWhere(method, first: ChaosOutcome.Error, second: ChaosOutcome.Ok);

    /// <summary>A request id whose first attempt of <paramref name="method"/> the server serves.</summary>
    private static string Served(string method) => IdWhere(method, first: ChaosOutcome.Ok, second: null);

    private static string IdWhere(string method, ChaosOutcome first, ChaosOutcome? second)
    {
        for (var i = 0; ; i++)
        {
            var id = $"ui-{i}";
            var decider = new ChaosDecider(Chaos());
            var key = method.TrimStart('/');
            if (decider.Decide(TimeSpan.Zero, id, key).Outcome == first
                && (second is null || decider.Decide(TimeSpan.Zero, id, key).Outcome == second))
            {
                return id;
            }
        }
    }

    private static ChaosOptions Chaos() => new()
    {
        Enabled = true,
        ErrorRate = 0.5,
        HangRate = 0,
        ErrorCodes = [StatusCode.Unavailable],
        PerRequestDecisions = true,
        Seed = Seed,
    };

    private UnstableService.UnstableServiceClient Client(Stack stack, out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress($"http://{Host.EndPoint.Host}:{Host.EndPoint.Port}");
        var options = Options(hedged: stack == Stack.Hedged);
        if (stack == Stack.Bare)
        {
            return new UnstableService.UnstableServiceClient(channel);
        }

        if (stack != Stack.Intercepted)
        {
            return new UnstableService.UnstableServiceClient(channel.WithResilience(options));
        }

        return new UnstableService.UnstableServiceClient(Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(
            channel.CreateCallInvoker(),
            new RetryInterceptor(options.Retry!),
            new CircuitBreakerInterceptor(new CircuitBreakerOptions()),
            new DeadlineInterceptor(new DeadlineOptions())));
    }
}
