using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Tests.Internal;

/// <summary>
/// The keys of per-method settings: a full method name (<c>/package.Service/Method</c>) names a method of its service;
/// anything else is taken as a service name.
/// </summary>
public sealed class MethodKeyTests
{
    [TestCase("/unstable.v1.UnstableService/Process", "unstable.v1.UnstableService")]
    [TestCase("/a/B", "a")]
    [TestCase("unstable.v1.UnstableService", null)]
    [TestCase("unstable.v1.UnstableService/Process", null)]
    [TestCase("//Process", null)]
    [TestCase("/Process", null)]
    public void ServiceOf_Key_IsTheServiceOfAFullMethodNameOnly(string key, string? service)
    {
        Assert.That(MethodKey.ServiceOf(key), Is.EqualTo(service));
    }
}
