using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Overload;

/// <summary>
/// What an operator reads of a concurrency limit that refuses: one warning when a spell of refusals starts, one line
/// when it ends with how many were refused, and nothing per refusal, however many there are.
/// </summary>
public sealed class ConcurrencyLimitLogTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeTimeProvider time = null!;
    private TaskCompletionSource release = null!;
    private ScriptedCallInvoker server = null!;
    private ServiceProvider services = null!;
    private FakeLogCollector logs = null!;
    private UnstableService.UnstableServiceClient client = null!;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server = new ScriptedCallInvoker(time);
        server.Unary = async (_, token) =>
        {
            await release.Task.WaitAsync(token);
            return null;
        };
        services = new ServiceCollection()
            .AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Trace))
            .BuildServiceProvider();
        logs = services.GetFakeLogCollector();
        var limit = new ConcurrencyLimitInterceptor(
            new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1 },
            time,
            services.GetRequiredService<ILoggerFactory>());
        client = new UnstableService.UnstableServiceClient(server.Intercept(limit));
    }

    [TearDown]
    public void TearDown() => services.Dispose();

    [Test]
    public async Task ManyRefusals_OneWarningWhenTheSpellStarts()
    {
        using var held = client.ProcessAsync(new ProcessRequest());

        await RefuseAsync(5);

        var warning = Events().Single();
        Assert.That(warning.Id.Name, Is.EqualTo("ConcurrencyLimitReached"));
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Category, Is.EqualTo("ResilientGrpc.Overload"));
        Assert.That(warning.Message, Does.StartWith("Concurrency limit reached for unknown: 1 attempts in flight"));
    }

    [Test]
    public async Task AdmittedASecondAfterTheLastRefusal_OneLineEndsTheSpellWithItsCount()
    {
        var held = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(3);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await RefuseAsync(2);
        release.SetResult();
        await held.ResponseAsync.WaitAsync(Bound);
        held.Dispose();

        time.Advance(TimeSpan.FromMilliseconds(999));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        Assert.That(Events().Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached" }), "a refusal came less than a second ago: the spell goes on");
        time.Advance(TimeSpan.FromMilliseconds(1));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        var events = Events();
        Assert.That(events.Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached", "ConcurrencyLimitRecovered" }));
        Assert.That(events[1].Level, Is.EqualTo(LogLevel.Information));
        Assert.That(events[1].Message, Is.EqualTo("Concurrency limit for unknown no longer refusing: 5 attempt(s) were refused; the limit is 1"));
    }

    [Test]
    public async Task SecondSpell_ItsOwnWarningAndCount()
    {
        var held = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(2);
        release.SetResult();
        await held.ResponseAsync.WaitAsync(Bound);
        held.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var heldAgain = client.ProcessAsync(new ProcessRequest());
        await RefuseAsync(4);

        Assert.That(Events().Select(e => e.Id.Name), Is.EqualTo(new[] { "ConcurrencyLimitReached", "ConcurrencyLimitRecovered", "ConcurrencyLimitReached" }));
        Assert.That(Events()[1].Message, Does.Contain(": 2 attempt(s) were refused"));
    }

    private async Task RefuseAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Assert.ThrowsAsync<OverloadRejectedException>(() => client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound));
        }
    }

    private List<FakeLogRecord> Events() => [.. logs.GetSnapshot().Where(r => r.Category == "ResilientGrpc.Overload")];
}
