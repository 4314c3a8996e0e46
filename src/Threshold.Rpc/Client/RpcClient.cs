using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Threshold.Rpc.Wire;

namespace Threshold.Rpc.Client;

/// <summary>
/// Calls unary methods of one server over the gRPC wire protocol (HTTP/2 through
/// <see cref="SocketsHttpHandler"/>). Thread-safe; create one per server and reuse it, so calls share
/// connections. Every failure is an <see cref="RpcException"/>: the server's status, or UNAVAILABLE
/// when the server cannot be reached, DEADLINE_EXCEEDED when the deadline passes, CANCELLED when the
/// caller's token fires.
/// </summary>
public sealed class RpcClient : IDisposable
{
    private static readonly ProductInfoHeaderValue UserAgent = new("threshold-rpc", "1.0");
    private readonly HttpClient http;
    private readonly RpcClientOptions options;

    /// <summary>Creates a client of the server at <paramref name="address"/>; connects on the first call.</summary>
    /// <param name="address"><c>https://host:port</c>; <c>http://</c> means cleartext HTTP/2 (tests only).</param>
    /// <param name="options">Trust, client certificate and limits (null: system trust, defaults).</param>
    public RpcClient(Uri address, RpcClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttps && address.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("the address must be an absolute https:// (or, for tests, http://) URI", nameof(address));
        }

        this.options = options ??= new RpcClientOptions();
        if (options.PinnedServerCertificate is not null && options.TrustedRoots is not null)
        {
            throw new ArgumentException("pin a server certificate or trust roots, not both", nameof(options));
        }

        Address = address;
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificateCheck.Create(options);
        if (options.ClientCertificate is { } clientCertificate)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { clientCertificate };
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server's address.</summary>
    public Uri Address { get; }

    /// <summary>Calls <paramref name="method"/> and returns its response.</summary>
    /// <param name="method">The method.</param>
    /// <param name="request">The request.</param>
    /// <param name="callOptions">Timeout or deadline and metadata (null: none).</param>
    /// <param name="cancellationToken">Cancels the call (CANCELLED).</param>
    /// <exception cref="RpcException">The call failed.</exception>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        RpcMethod<TRequest, TResponse> method, TRequest request, RpcCallOptions? callOptions = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        var reply = await InvokeAsync(method.Path, request, method.ResponseParser, callOptions, cancellationToken).ConfigureAwait(false);
        return reply.Message;
    }

    /// <summary>Calls the method at <paramref name="method"/> and returns its response.</summary>
    /// <param name="method">The path <c>/package.Service/Method</c>.</param>
    /// <param name="request">The request.</param>
    /// <param name="responseParser">Parses the response, e.g. <c>EchoReply.Parser</c>.</param>
    /// <param name="callOptions">Timeout or deadline and metadata (null: none).</param>
    /// <param name="cancellationToken">Cancels the call (CANCELLED).</param>
    /// <exception cref="RpcException">The call failed.</exception>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        string method, TRequest request, MessageParser<TResponse> responseParser, RpcCallOptions? callOptions = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        var reply = await InvokeAsync(method, request, responseParser, callOptions, cancellationToken).ConfigureAwait(false);
        return reply.Message;
    }

    /// <summary>Calls the method at <paramref name="method"/>, returning the response with its headers and trailers.</summary>
    /// <param name="method">The path <c>/package.Service/Method</c>.</param>
    /// <param name="request">The request.</param>
    /// <param name="responseParser">Parses the response.</param>
    /// <param name="callOptions">Timeout or deadline and metadata (null: none).</param>
    /// <param name="cancellationToken">Cancels the call (CANCELLED).</param>
    /// <exception cref="RpcException">The call failed.</exception>
    public async Task<RpcReply<TResponse>> InvokeAsync<TRequest, TResponse>(
        string method, TRequest request, MessageParser<TResponse> responseParser, RpcCallOptions? callOptions = null, CancellationToken cancellationToken = default)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        RpcMethod.CheckPath(method);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseParser);
        var size = request.CalculateSize();
        if (size > options.MaxSendMessageSize)
        {
            throw new RpcException(RpcStatusCode.ResourceExhausted, $"request message of {size} bytes exceeds the limit of {options.MaxSendMessageSize}");
        }

        var remaining = Remaining(callOptions);
        if (remaining <= TimeSpan.Zero)
        {
            throw new RpcException(RpcStatusCode.DeadlineExceeded, "deadline exceeded before the call started");
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (remaining is { } timeout && timeout.TotalMilliseconds < uint.MaxValue - 1)
        {
            call.CancelAfter(timeout); // longer than a timer can wait (~49 days): only the server's clock applies
        }

        using var message = BuildRequest(method, GrpcFrame.ToArray(request, size), remaining, callOptions?.Headers);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, call.Token).ConfigureAwait(false);
            return await ReadReplyAsync(response, responseParser, call.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new RpcException(RpcStatusCode.Cancelled, "cancelled by the caller", null, e);
        }
        catch (OperationCanceledException e) when (call.IsCancellationRequested)
        {
            throw new RpcException(RpcStatusCode.DeadlineExceeded, "deadline exceeded", null, e);
        }
        catch (HttpProtocolException e)
        {
            throw new RpcException(FromStreamReset(e.ErrorCode), $"stream reset by the server (HTTP/2 error {e.ErrorCode})", null, e);
        }
        catch (HttpRequestException e) when (e.InnerException is HttpProtocolException reset)
        {
            throw new RpcException(FromStreamReset(reset.ErrorCode), $"stream reset by the server (HTTP/2 error {reset.ErrorCode})", null, e);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(RpcStatusCode.Unavailable, $"cannot reach {Address.Authority} ({e.HttpRequestError})", null, e);
        }
        catch (IOException e)
        {
            throw new RpcException(RpcStatusCode.Unavailable, $"connection to {Address.Authority} failed", null, e);
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() => http.Dispose();

    private TimeSpan? Remaining(RpcCallOptions? callOptions)
    {
        var now = DateTimeOffset.UtcNow;
        var timeout = callOptions?.Timeout ?? (callOptions?.Deadline is null ? options.DefaultTimeout : null);
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            timeout = null;
        }

        DateTimeOffset? deadline = timeout is { } t ? now + t : null;
        if (callOptions?.Deadline is { } d && (deadline is null || d < deadline))
        {
            deadline = d;
        }

        return deadline - now;
    }

    private HttpRequestMessage BuildRequest(string method, byte[] frame, TimeSpan? timeout, RpcMetadata? metadata)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(Address, method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentTypes.Grpc);
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        message.Headers.UserAgent.Add(UserAgent);
        message.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity");
        if (timeout is { } t)
        {
            message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcTimeout.Format(t));
        }

        foreach (var entry in metadata ?? Enumerable.Empty<RpcMetadataEntry>())
        {
            message.Headers.TryAddWithoutValidation(entry.Key, RpcMetadata.WireValue(entry));
        }

        return message;
    }

    private async Task<RpcReply<TResponse>> ReadReplyAsync<TResponse>(HttpResponseMessage response, MessageParser<TResponse> parser, CancellationToken cancellationToken)
        where TResponse : IMessage<TResponse>
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = (int)response.StatusCode;
            throw new RpcException(RpcStatusCodes.FromHttpStatus(status), $"HTTP status {status} from {Address.Authority}");
        }

        if (!ContentTypes.IsGrpcFamily(response.Content.Headers.ContentType?.ToString()))
        {
            throw new RpcException(RpcStatusCode.Unknown, "the response is not gRPC (wrong content-type)");
        }

        var headers = Metadata(response.Headers);
        if (ReadStatus(response.Headers) is { } early)
        {
            // Trailers-only: the status came with the headers, and no message follows.
            throw early.Code == RpcStatusCode.OK
                ? new RpcException(RpcStatusCode.Internal, "OK status without a response message")
                : new RpcException(early.Code, early.Detail, headers, null);
        }

        byte[]? payload = null;
        RpcException? framing = null;
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            var encoding = response.Headers.TryGetValues("grpc-encoding", out var values) ? values.FirstOrDefault() : null;
            payload = await GrpcFrame.ReadSingleAsync(reader, options.MaxReceiveMessageSize, encoding, "response", cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            framing = e; // a status in the trailers, if one arrived, says more
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        var trailers = Metadata(response.TrailingHeaders);
        var final = ReadStatus(response.TrailingHeaders);
        if (final is { Code: not RpcStatusCode.OK } failed)
        {
            throw new RpcException(failed.Code, failed.Detail, trailers, null);
        }

        if (framing is not null)
        {
            throw framing;
        }

        if (final is null)
        {
            throw new RpcException(RpcStatusCode.Internal, "the response ended without a grpc-status");
        }

        try
        {
            return new RpcReply<TResponse>(parser.ParseFrom(payload!), headers, trailers);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(RpcStatusCode.Internal, "the response message cannot be parsed", trailers, e);
        }
    }

    private static (RpcStatusCode Code, string Detail)? ReadStatus(HttpHeaders headers)
    {
        if (!headers.TryGetValues("grpc-status", out var statuses))
        {
            return null;
        }

        var code = int.TryParse(statuses.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 16
            ? (RpcStatusCode)value
            : RpcStatusCode.Unknown;
        var detail = headers.TryGetValues("grpc-message", out var messages) ? StatusMessage.Decode(messages.FirstOrDefault()) : string.Empty;
        return (code, detail);
    }

    private static RpcMetadata Metadata(HttpHeaders headers)
    {
        var metadata = new RpcMetadata();
        foreach (var (key, values) in headers.NonValidated)
        {
            if (!RpcMetadata.IsReserved(key))
            {
                foreach (var value in values)
                {
                    metadata.AddFromWire(key, value);
                }
            }
        }

        return metadata;
    }

    /// <summary>The status for an HTTP/2 RST_STREAM error code (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
    private static RpcStatusCode FromStreamReset(long errorCode) => errorCode switch
    {
        0x7 => RpcStatusCode.Unavailable,        // REFUSED_STREAM: nothing was processed
        0x8 => RpcStatusCode.Cancelled,          // CANCEL
        0xB => RpcStatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xC => RpcStatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => RpcStatusCode.Internal,
    };
}
