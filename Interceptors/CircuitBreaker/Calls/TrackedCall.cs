using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Calls;

/// <summary>
/// Reports the outcome of one admitted call to its breaker exactly once, however often the caller awaits,
/// reads the status or disposes. Subclasses wrap each call kind and are also the state of the call object,
/// so tracking costs one allocation per call and no closures.
/// </summary>
internal abstract class TrackedCall(
    CircuitStateController controller,
    CircuitPermit permit,
    OutcomeClassifier classifier,
    CancellationToken callerToken)
{
    private int reported;

    /// <summary>The call ended: <paramref name="error"/> null for success (status OK).</summary>
    protected void Complete(Exception? error, CancellationToken readToken = default)
    {
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            controller.OnCompleted(permit, classifier.Classify(error, callerToken, readToken));
        }
    }

    /// <summary>The caller disposed the call before its final status was known: counts as neither.</summary>
    protected void Abandon()
    {
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            controller.OnCompleted(permit, CallOutcome.Ignored);
        }
    }

    /// <summary>Awaits a response task and reports how it ended, passing it on unchanged.</summary>
    protected async Task<TResponse> ObserveAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            Complete(error: null);
            return result;
        }
        catch (Exception error)
        {
            Complete(error);
            throw;
        }
    }

    /// <summary>Passes a stream read on; reports success at the end of the stream and the error if it fails.</summary>
    protected Task<bool> ObserveMoveNext<TResponse>(IAsyncStreamReader<TResponse> reader, CancellationToken readToken)
    {
        Task<bool> next;
        try
        {
            next = reader.MoveNext(readToken);
        }
        catch (Exception error)
        {
            Complete(error, readToken);
            throw;
        }

        // Reading a message that is already buffered stays allocation-free.
        return next.IsCompletedSuccessfully && next.Result ? next : ObserveMoveNextAsync(next, readToken);
    }

    private async Task<bool> ObserveMoveNextAsync(Task<bool> next, CancellationToken readToken)
    {
        try
        {
            var more = await next.ConfigureAwait(false);
            if (!more)
            {
                Complete(error: null);
            }

            return more;
        }
        catch (Exception error)
        {
            Complete(error, readToken);
            throw;
        }
    }
}
