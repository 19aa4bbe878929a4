using System.Collections.Frozen;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Tests.Internal;

/// <summary>
/// The keys of per-method settings: a full method name (<c>/package.Service/Method</c>) names a method of its service;
/// anything else is taken as a service name.
/// </summary>
public sealed class MethodKeyTests
{
    private static readonly Method<string, string> Process =
        new(MethodType.Unary, "unstable.v1.UnstableService", "Process", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

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

    [TestCase("/unstable.v1.UnstableService/Process", true)]
    [TestCase("unstable.v1.UnstableService", true)]
    [TestCase("/unstable.v1.UnstableService/Subscribe", false)]
    [TestCase("other.v1.OtherService", false)]
    public void Matches_KeyNamingTheMethodOrItsService_Matches(string key, bool matches)
    {
        var keys = new[] { key }.ToFrozenSet(StringComparer.Ordinal);

        Assert.That(MethodKey.Matches(keys, Process), Is.EqualTo(matches));
    }

    [Test]
    public void Matches_NoKeys_MatchesNothing()
    {
        Assert.That(MethodKey.Matches(FrozenSet<string>.Empty, Process), Is.False);
    }

    [Test]
    public void TryGet_MethodAndServiceBothKeyed_FullMethodNameWins()
    {
        var values = new Dictionary<string, int>
        {
            ["unstable.v1.UnstableService"] = 1,
            ["/unstable.v1.UnstableService/Process"] = 2,
        }.ToFrozenDictionary(StringComparer.Ordinal);

        Assert.That(MethodKey.TryGet(values, Process, out var value), Is.True);
        Assert.That(value, Is.EqualTo(2));
    }

    [Test]
    public void TryGet_OnlyTheServiceKeyed_TakesTheServiceValue()
    {
        var values = new Dictionary<string, int> { ["unstable.v1.UnstableService"] = 1 }.ToFrozenDictionary(StringComparer.Ordinal);

        Assert.That(MethodKey.TryGet(values, Process, out var value), Is.True);
        Assert.That(value, Is.EqualTo(1));
    }

    [Test]
    public void TryGet_NeitherKeyed_FindsNothing()
    {
        var values = new Dictionary<string, int> { ["other.v1.OtherService"] = 1 }.ToFrozenDictionary(StringComparer.Ordinal);

        Assert.That(MethodKey.TryGet(values, Process, out _), Is.False);
        Assert.That(MethodKey.TryGet(FrozenDictionary<string, int>.Empty, Process, out _), Is.False);
    }
}
