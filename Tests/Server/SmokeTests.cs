namespace ResilientGrpc.Tests.Server;

public sealed class SmokeTests
{
    [Test]
    public void Contract_IsGenerated()
    {
        Assert.That(ResilientGrpc.Protos.UnstableService.Descriptor.Methods, Has.Count.EqualTo(4));
    }
}
