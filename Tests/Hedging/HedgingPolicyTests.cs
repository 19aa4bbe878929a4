using System.Globalization;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Hedging;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>The pure hedging decisions, without time or network: which methods are hedged and what a failure means.</summary>
public sealed class HedgingPolicyTests
{
    private const string Service = "unstable.v1.UnstableService";

    [TestCase(1, false)]
    [TestCase(2, true)]
    public void AppliesTo_MaxAttempts_OneAttemptHedgesNoMethod(int maxAttempts, bool applies)
    {
        var policy = Policy(new HedgingOptions { HedgedMethods = { Service }, MaxAttempts = maxAttempts });

        Assert.That(policy.AppliesTo(Method()), Is.EqualTo(applies));
    }

    [TestCase("0", false)]
    [TestCase("250", false)]
    [TestCase("-1", true)]
    [TestCase("soon", true)]
    public void Classify_NonFatalStatusWithPushback_ZeroOrMoreDelaysTheNextHedgeNegativeStopsHedging(string pushbackMs, bool stopsHedging)
    {
        var policy = Policy(new HedgingOptions { HedgedMethods = { Service } });
        var error = new RpcException(new Status(StatusCode.Unavailable, "busy"), new Metadata { { "grpc-retry-pushback-ms", pushbackMs } });

        Assert.That(
            policy.Classify(error, callerDeadlineAhead: true, out var pushback),
            Is.EqualTo(stopsHedging ? HedgeFailure.PushbackStop : HedgeFailure.Pushback));
        Assert.That(pushback, Is.EqualTo(stopsHedging ? TimeSpan.FromMilliseconds(-1) : TimeSpan.FromMilliseconds(int.Parse(pushbackMs, CultureInfo.InvariantCulture))));
    }

    [TestCase(StatusCode.Unavailable, true, HedgeFailure.NonFatal)]
    [TestCase(StatusCode.Internal, true, HedgeFailure.Fatal)]
    [TestCase(StatusCode.DeadlineExceeded, true, HedgeFailure.NonFatal)]
    [TestCase(StatusCode.DeadlineExceeded, false, HedgeFailure.Fatal)]
    public void Classify_Status_NonFatalLetsTheOtherHedgesAnswerAnyOtherEndsTheCall(StatusCode code, bool callerDeadlineAhead, object expected)
    {
        // A DEADLINE_EXCEEDED is an attempt's own deadline while the caller's is still ahead.
        var policy = Policy(new HedgingOptions { HedgedMethods = { Service } });

        var failure = policy.Classify(new RpcException(new Status(code, "failed")), callerDeadlineAhead, out var pushback);

        Assert.That(failure, Is.EqualTo(expected));
        Assert.That(pushback, Is.Null);
    }

    private static Method<string, string> Method() =>
        new(MethodType.Unary, Service, "Process", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    private static HedgingPolicy Policy(HedgingOptions options)
    {
        options.Validate();
        return new HedgingPolicy(options);
    }
}
