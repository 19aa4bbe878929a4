using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A call whose outcome is the end of its response task (unary, client streaming).</summary>
internal abstract class ObservedResponseCall<TResponse, TObserver>(TObserver observer) : ObservedCall<TObserver>(observer)
    where TObserver : struct, ICallObserver
{
    private Task<TResponse>? response;

    protected abstract Task<TResponse> InnerResponse { get; }

    protected Task<TResponse> ObserveResponse()
    {
        var inner = InnerResponse;
        if (inner.IsCompletedSuccessfully)
        {
            // Reported at once, nothing allocated.
            Complete(error: null);
            response = inner;
        }
        else
        {
            response = ObserveAsync();
        }

        return response;
    }

    protected void DisposeCall(IDisposable inner)
    {
        if (!InnerResponse.IsCompleted)
        {
            Abandon();
        }

        inner.Dispose();
        TaskFaults.Observe(response!);
    }

    // Reads the response below through the property, not a parameter, so the state machine stays a field smaller.
    private async Task<TResponse> ObserveAsync()
    {
        try
        {
            var result = await InnerResponse.ConfigureAwait(false);
            Complete(error: null);
            return result;
        }
        catch (Exception error)
        {
            Complete(error);
            throw;
        }
    }
}

internal sealed class ObservedUnaryCall<TResponse, TObserver>(AsyncUnaryCall<TResponse> inner, TObserver observer)
    : ObservedResponseCall<TResponse, TObserver>(observer)
    where TObserver : struct, ICallObserver
{
    private readonly AsyncUnaryCall<TResponse> inner = inner;

    protected override Task<TResponse> InnerResponse => inner.ResponseAsync;

    /// <summary>Observes <paramref name="inner"/>; one already answered is reported at once and passed on as it is.</summary>
    public static AsyncUnaryCall<TResponse> Wrap(AsyncUnaryCall<TResponse> inner, TObserver observer)
    {
        if (inner.ResponseAsync.IsCompletedSuccessfully)
        {
            observer.OnEnded(error: null, default);
            return inner;
        }

        var observed = new ObservedUnaryCall<TResponse, TObserver>(inner, observer);
        return new AsyncUnaryCall<TResponse>(
            observed.ObserveResponse(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).DisposeCall(((ObservedUnaryCall<TResponse, TObserver>)s).inner),
            observed);
    }
}

internal sealed class ObservedClientStreamingCall<TRequest, TResponse, TObserver>(AsyncClientStreamingCall<TRequest, TResponse> inner, TObserver observer)
    : ObservedResponseCall<TResponse, TObserver>(observer)
    where TObserver : struct, ICallObserver
{
    private readonly AsyncClientStreamingCall<TRequest, TResponse> inner = inner;

    protected override Task<TResponse> InnerResponse => inner.ResponseAsync;

    public static AsyncClientStreamingCall<TRequest, TResponse> Wrap(AsyncClientStreamingCall<TRequest, TResponse> inner, TObserver observer)
    {
        var observed = new ObservedClientStreamingCall<TRequest, TResponse, TObserver>(inner, observer);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            inner.RequestStream,
            observed.ObserveResponse(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).DisposeCall(((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner),
            observed);
    }
}
