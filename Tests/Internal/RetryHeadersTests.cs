using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Tests.Internal;

/// <summary>The gRFC A6 metadata of retried and hedged attempts: the attempt count sent, the server's pushback read.</summary>
public sealed class RetryHeadersTests
{
    [Test]
    public void ForAttempt_CallerHeaders_CopiedWithTheAttemptCountReplacedAndTheCallersLeftAlone()
    {
        var caller = new Metadata { { "tenant", "a" }, { "Grpc-Previous-Rpc-Attempts", "7" } };

        var headers = RetryHeaders.ForAttempt(caller, previousAttempts: 2);

        Assert.That(headers.Select(e => $"{e.Key}={e.Value}"), Is.EqualTo(new[] { "tenant=a", "grpc-previous-rpc-attempts=2" }));
        Assert.That(caller, Has.Count.EqualTo(2), "the caller's metadata is not changed");
    }

    [Test]
    public void ForAttempt_NoCallerHeaders_SendsOnlyTheAttemptCount()
    {
        var headers = RetryHeaders.ForAttempt(null, previousAttempts: 1);

        Assert.That(headers.Select(e => $"{e.Key}={e.Value}"), Is.EqualTo(new[] { "grpc-previous-rpc-attempts=1" }));
    }

    [TestCase(null, null)]
    [TestCase("0", 0)]
    [TestCase("1500", 1500)]
    [TestCase("-1", -1)]
    [TestCase("soon", -1)]
    public void PushbackOf_Trailer_DelayAskedForOrNegativeToStop(string? value, int? expectedMs)
    {
        var trailers = value is null ? new Metadata() : new Metadata { { "grpc-retry-pushback-ms", value } };

        var pushback = RetryHeaders.PushbackOf(trailers);

        Assert.That(pushback is null ? (int?)null : pushback < TimeSpan.Zero ? -1 : (int)pushback.Value.TotalMilliseconds, Is.EqualTo(expectedMs));
    }

    [Test]
    public void ContextOf_FirstAttempt_TheCallersContextUnchanged_LaterOnes_CountThePreviousAttempts()
    {
        var method = new Method<string, string>(MethodType.Unary, "svc", "Get", Marshallers.StringMarshaller, Marshallers.StringMarshaller);
        var caller = new Metadata { { "tenant", "a" } };
        var context = new ClientInterceptorContext<string, string>(method, "host", new CallOptions(headers: caller));

        var first = RetryHeaders.ContextOf(context, attempt: 1);
        var third = RetryHeaders.ContextOf(context, attempt: 3);

        Assert.That(first.Options.Headers, Is.SameAs(caller), "the first attempt sends what the caller sent");
        Assert.That(third.Options.Headers!.Select(e => $"{e.Key}={e.Value}"), Is.EqualTo(new[] { "tenant=a", "grpc-previous-rpc-attempts=2" }));
        Assert.That(third.Method, Is.SameAs(method));
        Assert.That(third.Host, Is.EqualTo("host"));
    }
}
