using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// A unary attempt that found the concurrency limit reached and waits in line for a slot: its call object is returned at
/// once, and the attempt starts below when a slot comes. It fails without reaching the network when its wait runs out
/// (RESOURCE_EXHAUSTED, refused for overload), the caller's deadline passes (DEADLINE_EXCEEDED), or the caller cancels
/// or disposes it (CANCELLED). <typeparamref name="TCall"/> is always <see cref="AsyncUnaryCall{TResponse}"/>.
/// </summary>
internal sealed class QueuedAttempt<TRequest, TResponse, TCall, TInvocation> : SlotWaiter
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
{
    private static readonly Func<object, Task<Metadata>> HeadersOf = static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s).Headers();
    private static readonly Func<object, Status> StatusOf = static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s).Status();
    private static readonly Func<object, Metadata> TrailersOf = static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s).Trailers();
    private static readonly Action<object> DisposeOf = static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s).Dispose();

    private readonly TaskCompletionSource<long> slot = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AsyncUnaryCall<TResponse>> begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrencyLimitInterceptor owner;
    private readonly ConcurrencyLimiter limiter;
    private readonly ClientInterceptorContext<TRequest, TResponse> context;
    private readonly TInvocation invocation;
    private Task<Metadata>? headers;
    private int disposed;

    public QueuedAttempt(
        ConcurrencyLimitInterceptor owner, ConcurrencyLimiter limiter, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
    {
        this.owner = owner;
        this.limiter = limiter;
        this.context = context;
        this.invocation = invocation;
    }

    /// <summary>The call the caller holds; call once it is in line.</summary>
    public TCall Wait(TimeProvider time)
    {
        var response = TaskFaults.Observed(RunAsync(time));
        return (TCall)(object)new AsyncUnaryCall<TResponse>(response, HeadersOf, StatusOf, TrailersOf, DisposeOf, this);
    }

    /// <inheritdoc />
    public override bool TryGrant(long token) => slot.TrySetResult(token);

    private async Task<TResponse> RunAsync(TimeProvider time)
    {
        // A slot may come before the caller has its call object back: the attempt still starts off the caller's thread.
        // A slot that comes later already arrives on a pool thread (the line's continuations run asynchronously), and
        // the attempt starts there, without a second trip through the pool between the answer that freed it and its own.
        var waited = WaitForSlotAsync(time);
        var token = await waited.ConfigureAwait(waited.IsCompleted ? ConfigureAwaitOptions.ForceYielding : ConfigureAwaitOptions.None);
        AsyncUnaryCall<TResponse> call;
        try
        {
            owner.Admitted();
            call = (AsyncUnaryCall<TResponse>)(object)invocation.Start(context);
        }
        catch (Exception error)
        {
            limiter.Abandon();
            begun.TrySetException(error);
            throw;
        }

        begun.TrySetResult(call);
        if (Volatile.Read(ref disposed) != 0)
        {
            call.Dispose();
        }

        try
        {
            var response = await call.ResponseAsync.ConfigureAwait(false);
            limiter.Release(token, null, context.Options.CancellationToken, default);
            return response;
        }
        catch (Exception error)
        {
            if (Volatile.Read(ref disposed) != 0)
            {
                limiter.Abandon();
            }
            else
            {
                limiter.Release(token, error, context.Options.CancellationToken, default);
            }

            throw;
        }
    }

    /// <summary>Waits in line until a slot comes, within the limiter's wait and the caller's deadline, unless the caller gives up.</summary>
    private async Task<long> WaitForSlotAsync(TimeProvider time)
    {
        var wait = limiter.MaxQueueWait;
        var left = CallerDeadline.TimeLeft(CallerDeadline.Of(context.Options), time);
        var deadlineFirst = left < wait;
        if (deadlineFirst)
        {
            wait = left!.Value > TimeSpan.Zero ? left.Value : TimeSpan.Zero;
        }

        using var timer = time.CreateTimer(
            deadlineFirst ? static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s!).GiveUp(DeadlinePassed())
                : static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s!).WaitRanOut(),
            this,
            wait,
            Timeout.InfiniteTimeSpan);
        using var cancellation = context.Options.CancellationToken.UnsafeRegister(
            static s => ((QueuedAttempt<TRequest, TResponse, TCall, TInvocation>)s!).GiveUp(CallErrors.Cancelled(null)), this);
        try
        {
            return await slot.Task.ConfigureAwait(false);
        }
        catch (Exception error)
        {
            limiter.Leave(this);
            begun.TrySetException(error);
            throw;
        }
    }

    private static RpcException DeadlinePassed() =>
        new(new Status(StatusCode.DeadlineExceeded, "The call's deadline passed while it waited for a slot of the concurrency limit."));

    private void WaitRanOut()
    {
        if (!slot.Task.IsCompleted)
        {
            GiveUp(owner.Refusal(context.Method, context.Host, queued: true));
        }
    }

    private void GiveUp(RpcException error) => slot.TrySetException(error);

    private Task<Metadata> Headers()
    {
        if (Volatile.Read(ref headers) is { } known)
        {
            return known;
        }

        var created = TaskFaults.Observed(HeadersAsync());
        return Interlocked.CompareExchange(ref headers, created, null) ?? created;
    }

    private async Task<Metadata> HeadersAsync()
    {
        var call = await begun.Task.ConfigureAwait(false);
        return await call.ResponseHeadersAsync.ConfigureAwait(false);
    }

    private Status Status() => begun.Task switch
    {
        { IsCompletedSuccessfully: true } started => started.Result.GetStatus(),
        { IsFaulted: true } failed => CallErrors.StatusOf(failed.Exception!.InnerException!),
        _ => throw new InvalidOperationException("Unable to get the status because the call is not complete."),
    };

    private Metadata Trailers() => begun.Task switch
    {
        { IsCompletedSuccessfully: true } started => started.Result.GetTrailers(),
        { IsFaulted: true } failed => CallErrors.TrailersOf(failed.Exception!.InnerException),
        _ => throw new InvalidOperationException("Unable to get the trailers because the call is not complete."),
    };

    private void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        GiveUp(CallErrors.Cancelled(null));
        if (begun.Task.IsCompletedSuccessfully)
        {
            begun.Task.Result.Dispose();
        }
    }
}
