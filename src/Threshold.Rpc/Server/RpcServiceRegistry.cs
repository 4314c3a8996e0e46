using System.Buffers;
using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Threshold.Rpc.Server;

/// <summary>Handles one unary call (the shape of Grpc.Core's <c>UnaryServerMethod</c>).</summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
/// <param name="request">The parsed request.</param>
/// <param name="context">Deadline, cancellation, metadata and peer of the call.</param>
/// <returns>The response; throw <see cref="RpcException"/> to fail with a chosen status.</returns>
public delegate Task<TResponse> RpcHandler<TRequest, TResponse>(TRequest request, RpcContext context);

/// <summary>
/// The unary methods a server serves, by path. Fill it before the server starts (registration after
/// <see cref="RpcApplicationBuilderExtensions.UseRpc"/> throws); the server then serves each method over
/// both gRPC and HTTP/JSON.
/// </summary>
public sealed class RpcServiceRegistry
{
    private readonly Dictionary<string, RpcMethodEntry> methods = new(StringComparer.Ordinal);
    private bool frozen;

    /// <summary>The registered paths.</summary>
    public IReadOnlyCollection<string> Paths => methods.Keys;

    /// <summary>Registers a method described by an <see cref="RpcMethod{TRequest, TResponse}"/>.</summary>
    /// <param name="method">The method (ideally from <see cref="RpcMethod.FromDescriptor{TRequest, TResponse}"/>).</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="InvalidOperationException">The path is taken, or the server already started.</exception>
    public RpcServiceRegistry MapUnary<TRequest, TResponse>(RpcMethod<TRequest, TResponse> method, RpcHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        return MapUnary(method.Path, method.RequestParser, handler);
    }

    /// <summary>Registers a method by path and request parser.</summary>
    /// <param name="path">The method path, <c>/package.Service/Method</c>.</param>
    /// <param name="requestParser">Parses requests, e.g. <c>EchoRequest.Parser</c>.</param>
    /// <param name="handler">The handler.</param>
    /// <exception cref="ArgumentException">The path is malformed.</exception>
    /// <exception cref="InvalidOperationException">The path is taken, or the server already started.</exception>
    public RpcServiceRegistry MapUnary<TRequest, TResponse>(string path, MessageParser<TRequest> requestParser, RpcHandler<TRequest, TResponse> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        RpcMethod.CheckPath(path);
        ArgumentNullException.ThrowIfNull(requestParser);
        ArgumentNullException.ThrowIfNull(handler);
        if (frozen)
        {
            throw new InvalidOperationException("methods must be registered before the server starts");
        }

        if (!methods.TryAdd(path, new RpcMethodEntry<TRequest, TResponse>(path, requestParser, handler)))
        {
            throw new InvalidOperationException($"{path} is already registered");
        }

        return this;
    }

    /// <summary>
    /// Checks the registrations for <paramref name="service"/> against its contract: every method of the
    /// service is registered, nothing else under the service's name is, and the message types match.
    /// </summary>
    /// <param name="service">The generated descriptor, e.g. <c>NodeReflection.Descriptor.Services[0]</c>.</param>
    /// <exception cref="InvalidOperationException">Lists every difference found.</exception>
    public void Validate(ServiceDescriptor service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var problems = new List<string>();
        var declared = service.Methods.ToDictionary(RpcMethod.PathOf, StringComparer.Ordinal);
        foreach (var (path, method) in declared)
        {
            if (!methods.TryGetValue(path, out var entry))
            {
                problems.Add($"{path} is declared but not registered");
                continue;
            }

            if (method.IsClientStreaming || method.IsServerStreaming)
            {
                problems.Add($"{path} streams, which this server does not support");
            }

            if (entry.RequestDescriptor.FullName != method.InputType.FullName)
            {
                problems.Add($"{path} takes {method.InputType.FullName}, registered with {entry.RequestDescriptor.FullName}");
            }

            if (entry.ResponseType != method.OutputType.ClrType)
            {
                problems.Add($"{path} returns {method.OutputType.FullName}, registered with {entry.ResponseType.Name}");
            }
        }

        problems.AddRange(methods.Keys
            .Where(p => RpcMethod.ServiceOf(p) == service.FullName && !declared.ContainsKey(p))
            .Select(p => $"{p} is registered but not declared in {service.FullName}"));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"registrations differ from {service.File.Name}: {string.Join("; ", problems)}");
        }
    }

    /// <summary>Stops registration and returns the lookup the server uses.</summary>
    internal FrozenDictionary<string, RpcMethodEntry> Freeze()
    {
        frozen = true;
        return methods.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

/// <summary>A registered method with its types erased, so the server can dispatch by path.</summary>
internal abstract class RpcMethodEntry(string path)
{
    public string Path { get; } = path;

    public abstract MessageDescriptor RequestDescriptor { get; }

    public abstract Type ResponseType { get; }

    /// <summary>Parses a binary request; malformed bytes throw <see cref="InvalidProtocolBufferException"/>.</summary>
    public abstract IMessage ParseBinary(byte[] bytes);

    public abstract Task<IMessage> InvokeAsync(IMessage request, RpcContext context);
}

internal sealed class RpcMethodEntry<TRequest, TResponse>(string path, MessageParser<TRequest> parser, RpcHandler<TRequest, TResponse> handler)
    : RpcMethodEntry(path)
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public override MessageDescriptor RequestDescriptor { get; } = parser.ParseFrom(ReadOnlySequence<byte>.Empty).Descriptor;

    public override Type ResponseType => typeof(TResponse);

    public override IMessage ParseBinary(byte[] bytes) => parser.ParseFrom(bytes);

    public override async Task<IMessage> InvokeAsync(IMessage request, RpcContext context)
    {
        var response = await handler((TRequest)request, context).ConfigureAwait(false);
        return response ?? throw new InvalidOperationException($"handler of {Path} returned no response");
    }
}
