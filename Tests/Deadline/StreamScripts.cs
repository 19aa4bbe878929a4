using System.Runtime.CompilerServices;
using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Deadline;

/// <summary>Response streams for the scripted network, timed on a (fake) clock.</summary>
internal static class StreamScripts
{
    /// <summary>Sends nothing, not even headers, until the call is cancelled: a server that hangs.</summary>
    public static async IAsyncEnumerable<object> Silent([EnumeratorCancellation] CancellationToken token)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
        yield break;
    }

    /// <summary>Sends response headers at once, then nothing until the call is cancelled.</summary>
    public static async IAsyncEnumerable<object> HeadersThenSilent([EnumeratorCancellation] CancellationToken token)
    {
        yield return new Metadata { { "server", "up" } };
        await Task.Delay(Timeout.InfiniteTimeSpan, token);
    }

    /// <summary>
    /// Sends message n after waiting <paramref name="delays"/>[n − 1] seconds (each after the previous), then ends the
    /// stream or, when <paramref name="thenSilent"/>, sends nothing more until the call is cancelled.
    /// </summary>
    public static async IAsyncEnumerable<object> Timed(
        TimeProvider time,
        Func<int, object> message,
        double[] delays,
        bool thenSilent,
        [EnumeratorCancellation] CancellationToken token)
    {
        for (var i = 0; i < delays.Length; i++)
        {
            if (delays[i] > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(delays[i]), time, token);
            }

            yield return message(i + 1);
        }

        if (thenSilent)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
    }

    public static object Event(int sequence) => new Event { Sequence = sequence };

    public static object Echo(int sequence) => new EchoMessage { Text = $"m{sequence}" };
}
