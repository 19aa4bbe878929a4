using System.Collections.Concurrent;
using Grpc.Core;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// A stand-in for the network below the interceptors: records every call it receives and answers as the
/// test scripts it. Deadlines and caller cancellation are enforced like a real channel does, through the
/// given <see cref="TimeProvider"/>, so a <c>FakeTimeProvider</c> drives them without sleeping.
/// Like grpc-dotnet, a call the server fails before sending headers (a "trailers-only" response) completes its
/// response headers task successfully with empty metadata once the call has ended; only a call ended on the client
/// side (deadline, cancellation) fails its headers task.
/// Like grpc-dotnet, it observes the failures of the tasks it owns: a headers task always, a response task once the
/// caller disposes the call, so a call disposed without being awaited leaves no unobserved task of its own.
/// Wrap it with <c>invoker.Intercept(...)</c> and use a generated client on top, exactly as users do.
/// </summary>
internal sealed class ScriptedCallInvoker(TimeProvider? timeProvider = null) : CallInvoker
{
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentQueue<Arrival> arrivals = new();
    private int count;

    /// <summary>
    /// Answers unary and client-streaming calls (the latter once the caller completes its request stream).
    /// Return null for a default response message; throw (or fault) with an <see cref="RpcException"/> to fail.
    /// The token is cancelled when the caller cancels or the call's deadline passes.
    /// </summary>
    public Func<Arrival, CancellationToken, Task<object?>> Unary { get; set; } = static (_, _) => Task.FromResult<object?>(null);

    /// <summary>
    /// Produces the response messages of server-streaming and duplex calls; throw to fail the stream. Yield a
    /// <see cref="Metadata"/> to send response headers before (or without) any message.
    /// </summary>
    public Func<Arrival, CancellationToken, IAsyncEnumerable<object>> Stream { get; set; } = static (_, _) => Empty();

    /// <summary>Every call received so far, in order.</summary>
    public IReadOnlyList<Arrival> Arrivals => [.. arrivals];

    /// <summary>How many calls reached this invoker.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>A responder that fails every call with <paramref name="code"/> and optional trailers.</summary>
    public static Func<Arrival, CancellationToken, Task<object?>> FailWith(StatusCode code, Metadata? trailers = null) =>
        (_, _) => Task.FromException<object?>(new RpcException(new Status(code, $"scripted {code}"), trailers ?? []));

    /// <summary>A responder that never answers until the caller cancels or the deadline passes.</summary>
    public static Func<Arrival, CancellationToken, Task<object?>> Hang() =>
        static async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return null;
        };

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        AsyncUnaryCall(method, host, options, request).ResponseAsync.GetAwaiter().GetResult();

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var arrival = Record(method, options, request);
        var scope = new CallScope(time, options);
        var response = RunUnaryAsync<TResponse>(arrival, scope, Task.CompletedTask);
        return new AsyncUnaryCall<TResponse>(
            response,
            HeadersOf(response, scope),
            () => StatusOf(response),
            () => TrailersOf(response),
            () => Dispose(arrival, scope, response));
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var arrival = Record(method, options, request);
        var scope = new CallScope(time, options);
        var reader = new ScriptedReader<TResponse>(Stream(arrival, scope.Token), scope);
        return new AsyncServerStreamingCall<TResponse>(
            reader,
            reader.Headers,
            () => reader.Status,
            () => reader.Trailers,
            () => Dispose(arrival, scope, response: null));
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var arrival = Record(method, options, request: null);
        var scope = new CallScope(time, options);
        var writer = new RecordingWriter<TRequest>(arrival);
        var response = RunUnaryAsync<TResponse>(arrival, scope, writer.Completed);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            writer,
            response,
            HeadersOf(response, scope),
            () => StatusOf(response),
            () => TrailersOf(response),
            () => Dispose(arrival, scope, response));
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var arrival = Record(method, options, request: null);
        var scope = new CallScope(time, options);
        var writer = new RecordingWriter<TRequest>(arrival);
        var reader = new ScriptedReader<TResponse>(Stream(arrival, scope.Token), scope);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            writer,
            reader,
            reader.Headers,
            () => reader.Status,
            () => reader.Trailers,
            () => Dispose(arrival, scope, response: null));
    }

    private Arrival Record(IMethod method, CallOptions options, object? request)
    {
        var arrival = new Arrival
        {
            Number = Interlocked.Increment(ref count),
            Method = method.FullName,
            Options = options,
            Request = request,
        };
        arrivals.Enqueue(arrival);
        return arrival;
    }

    private async Task<TResponse> RunUnaryAsync<TResponse>(Arrival arrival, CallScope scope, Task requestsCompleted)
    {
        try
        {
            await requestsCompleted.WaitAsync(scope.Token);
            var response = await Unary(arrival, scope.Token);
            return response is null ? Activator.CreateInstance<TResponse>() : (TResponse)response;
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw scope.Translate(ex);
        }
        finally
        {
            scope.Dispose();
        }
    }

    private static void Dispose(Arrival arrival, CallScope scope, Task? response)
    {
        arrival.MarkDisposed();
        scope.Cancel();
        if (response is not null)
        {
            ObserveFailure(response);
        }
    }

    /// <summary>Empty headers once the call has ended, unless it ended on the client side (as grpc-dotnet does).</summary>
    private static Task<Metadata> HeadersOf<TResponse>(Task<TResponse> response, CallScope scope)
    {
        var headers = HeadersAfter(response, scope);
        ObserveFailure(headers);
        return headers;
    }

    private static async Task<Metadata> HeadersAfter<TResponse>(Task<TResponse> response, CallScope scope)
    {
        await ((Task)response).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return scope.EndedLocally ? throw response.Exception!.InnerException! : [];
    }

    /// <summary>Marks a failure of <paramref name="task"/> observed, now or when it fails; awaiting it still throws.</summary>
    private static void ObserveFailure(Task task)
    {
        if (task.IsCompleted)
        {
            _ = task.Exception;
            return;
        }

        _ = task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static Status StatusOf<TResponse>(Task<TResponse> response) =>
        response.Status switch
        {
            TaskStatus.RanToCompletion => Status.DefaultSuccess,
            TaskStatus.Faulted when response.Exception!.InnerException is RpcException rpc => rpc.Status,
            TaskStatus.Faulted or TaskStatus.Canceled => new Status(StatusCode.Cancelled, "call cancelled"),
            _ => throw new InvalidOperationException("The call has not completed."),
        };

    private static Metadata TrailersOf<TResponse>(Task<TResponse> response) =>
        response.Status switch
        {
            TaskStatus.RanToCompletion => [],
            TaskStatus.Faulted when response.Exception!.InnerException is RpcException rpc => rpc.Trailers,
            TaskStatus.Faulted or TaskStatus.Canceled => [],
            _ => throw new InvalidOperationException("The call has not completed."),
        };

    private static async IAsyncEnumerable<object> Empty()
    {
        await Task.CompletedTask;
        yield break;
    }

    /// <summary>The caller's token and the deadline, merged into one token like a real call does.</summary>
    private sealed class CallScope : IDisposable
    {
        private readonly CancellationTokenSource source;
        private readonly CancellationToken callerToken;
        private readonly ITimer? deadlineTimer;
        private int deadlineExpired;
        private int endedLocally;

        public CallScope(TimeProvider time, CallOptions options)
        {
            callerToken = options.CancellationToken;
            source = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
            if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
            {
                var remaining = deadline.ToUniversalTime() - time.GetUtcNow().UtcDateTime;
                if (remaining <= TimeSpan.Zero)
                {
                    Expire();
                }
                else
                {
                    deadlineTimer = time.CreateTimer(static s => ((CallScope)s!).Expire(), this, remaining, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public CancellationToken Token => source.Token;

        public void Cancel() => source.Cancel();

        /// <summary>Whether the call ended on the client side (deadline, cancellation), not with a status from the server.</summary>
        public bool EndedLocally => Volatile.Read(ref endedLocally) == 1;

        /// <summary>The error a call ended on the client side by <paramref name="ex"/> reports.</summary>
        public RpcException Translate(Exception ex)
        {
            Interlocked.Exchange(ref endedLocally, 1);
            return Volatile.Read(ref deadlineExpired) == 1
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                : ex is OperationCanceledException
                    ? new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client."))
                    : new RpcException(new Status(StatusCode.Unknown, ex.Message));
        }

        public void Dispose() => deadlineTimer?.Dispose();

        private void Expire()
        {
            Interlocked.Exchange(ref deadlineExpired, 1);
            source.Cancel();
        }
    }

    private sealed class ScriptedReader<T>(IAsyncEnumerable<object> messages, CallScope scope) : IAsyncStreamReader<T>
    {
        private readonly TaskCompletionSource<Metadata> headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private IAsyncEnumerator<object>? enumerator;
        private Status? status;
        private Metadata trailers = [];

        public Task<Metadata> Headers => headers.Task;

        public Status Status => status ?? throw new InvalidOperationException("The call has not completed.");

        public Metadata Trailers => status is null ? throw new InvalidOperationException("The call has not completed.") : trailers;

        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            enumerator ??= messages.GetAsyncEnumerator(scope.Token);
            try
            {
                using var link = cancellationToken.Register(scope.Cancel);
                while (await enumerator.MoveNextAsync())
                {
                    if (enumerator.Current is Metadata sentHeaders)
                    {
                        headers.TrySetResult(sentHeaders);
                        continue;
                    }

                    headers.TrySetResult([]);
                    Current = (T)enumerator.Current;
                    return true;
                }

                status = Status.DefaultSuccess;
                headers.TrySetResult([]);
                scope.Dispose();
                return false;
            }
            catch (Exception ex)
            {
                var error = ex as RpcException ?? scope.Translate(ex);
                status = error.Status;
                trailers = error.Trailers;
                if (scope.EndedLocally)
                {
                    headers.TrySetException(error);
                    _ = headers.Task.Exception;
                }
                else
                {
                    // A server that fails before sending headers answers trailers-only: the headers task succeeds.
                    headers.TrySetResult([]);
                }

                scope.Dispose();
                throw error;
            }
        }
    }

    private sealed class RecordingWriter<T>(Arrival arrival) : IClientStreamWriter<T>
    {
        private readonly TaskCompletionSource completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Completed => completed.Task;

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message)
        {
            arrival.WrittenMessages.Enqueue(message!);
            return Task.CompletedTask;
        }

        public Task CompleteAsync()
        {
            completed.TrySetResult();
            return Task.CompletedTask;
        }
    }
}
