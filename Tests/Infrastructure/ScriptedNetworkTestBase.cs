using Microsoft.Extensions.Time.Testing;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>A scripted network on fake time, for tests of one interceptor over it.</summary>
public abstract class ScriptedNetworkTestBase
{
    protected const string Process = "/unstable.v1.UnstableService/Process";
    protected const string Service = "unstable.v1.UnstableService";
    protected static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private protected FakeTimeProvider Time { get; private set; } = null!;

    private protected ScriptedCallInvoker Network { get; private set; } = null!;

    /// <summary>The clock given to the interceptor under test: the same fake time, with its timers counted.</summary>
    private protected CountingTimeProvider Clock { get; private set; } = null!;

    protected DateTime Start { get; private set; }

    [SetUp]
    public void CreateNetwork()
    {
        Time = new FakeTimeProvider();
        Start = Time.GetUtcNow().UtcDateTime;
        Network = new ScriptedCallInvoker(Time);
        Clock = new CountingTimeProvider(Time);
    }
}
