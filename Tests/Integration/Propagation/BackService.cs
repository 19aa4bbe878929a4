using System.Collections.Concurrent;
using Grpc.Core;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Integration.Propagation;

/// <summary>
/// The service called from inside another service's handler: records the deadline each call arrives with and
/// whether it was cancelled, and either hangs until cancelled or fails every call with <c>UNAVAILABLE</c>.
/// </summary>
internal sealed class BackService : UnstableService.UnstableServiceBase
{
    private int cancelled;

    /// <summary>Gets or sets whether calls fail at once with <c>UNAVAILABLE</c> instead of hanging.</summary>
    public bool FailUnavailable { get; set; }

    /// <summary>Gets the deadline each call arrived with (<see cref="DateTime.MaxValue"/>: none), in arrival order.</summary>
    public ConcurrentQueue<DateTime> Deadlines { get; } = new();

    /// <summary>Gets how many calls the server saw cancelled while it worked on them.</summary>
    public int Cancelled => Volatile.Read(ref cancelled);

    /// <inheritdoc />
    public override async Task<ProcessReply> Process(ProcessRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Deadlines.Enqueue(context.Deadline);
        if (FailUnavailable)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The back service is down."));
        }

        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref cancelled);
            throw new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled while the back service worked on it."));
        }

        return new ProcessReply { RequestId = request?.RequestId ?? string.Empty };
    }
}
