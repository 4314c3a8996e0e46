using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Threshold.Rpc;

/// <summary>
/// A unary method: its path <c>/package.Service/Method</c> and the parsers of its messages. Shared by
/// the server (to register a handler) and the client (to call it). Build it from the generated
/// descriptor with <see cref="RpcMethod.FromDescriptor{TRequest, TResponse}"/> so that the name and
/// message types cannot drift from the .proto contract.
/// </summary>
/// <typeparam name="TRequest">The request message.</typeparam>
/// <typeparam name="TResponse">The response message.</typeparam>
public sealed class RpcMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    /// <summary>Describes a method by hand.</summary>
    /// <param name="path">The method path, <c>/package.Service/Method</c>.</param>
    /// <param name="requestParser">Parses requests (for example <c>EchoRequest.Parser</c>).</param>
    /// <param name="responseParser">Parses responses.</param>
    /// <exception cref="ArgumentException">The path is not of the form <c>/Service/Method</c>.</exception>
    public RpcMethod(string path, MessageParser<TRequest> requestParser, MessageParser<TResponse> responseParser)
    {
        RpcMethod.CheckPath(path);
        Path = path;
        RequestParser = requestParser ?? throw new ArgumentNullException(nameof(requestParser));
        ResponseParser = responseParser ?? throw new ArgumentNullException(nameof(responseParser));
    }

    /// <summary>The method path, <c>/package.Service/Method</c> (case-sensitive).</summary>
    public string Path { get; }

    /// <summary>Parses requests.</summary>
    public MessageParser<TRequest> RequestParser { get; }

    /// <summary>Parses responses.</summary>
    public MessageParser<TResponse> ResponseParser { get; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}

/// <summary>Builds <see cref="RpcMethod{TRequest, TResponse}"/> from protobuf descriptors.</summary>
public static class RpcMethod
{
    /// <summary>
    /// The method <paramref name="method"/> of a generated service descriptor (protoc emits the
    /// descriptor even with <c>GrpcServices="None"</c>), checked against the CLR message types.
    /// </summary>
    /// <param name="method">For example <c>EchoReflection.Descriptor.Services[0].FindMethodByName("Echo")</c>.</param>
    /// <typeparam name="TRequest">Must be the generated class of the method's input type.</typeparam>
    /// <typeparam name="TResponse">Must be the generated class of the method's output type.</typeparam>
    /// <exception cref="ArgumentException">The types differ from the contract.</exception>
    /// <exception cref="NotSupportedException">The method streams.</exception>
    public static RpcMethod<TRequest, TResponse> FromDescriptor<TRequest, TResponse>(MethodDescriptor method)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        var path = PathOf(method);
        if (method.IsClientStreaming || method.IsServerStreaming)
        {
            throw new NotSupportedException($"{path} streams; only unary methods are supported");
        }

        if (method.InputType.ClrType != typeof(TRequest))
        {
            throw new ArgumentException($"{path} takes {method.InputType.FullName}, not {typeof(TRequest).Name}", nameof(method));
        }

        if (method.OutputType.ClrType != typeof(TResponse))
        {
            throw new ArgumentException($"{path} returns {method.OutputType.FullName}, not {typeof(TResponse).Name}", nameof(method));
        }

        return new RpcMethod<TRequest, TResponse>(
            path, (MessageParser<TRequest>)method.InputType.Parser, (MessageParser<TResponse>)method.OutputType.Parser);
    }

    /// <summary>The path <c>/package.Service/Method</c> of a descriptor's method.</summary>
    /// <param name="method">The method descriptor.</param>
    public static string PathOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return $"/{method.Service.FullName}/{method.Name}";
    }

    /// <summary>The service part of a path (<c>package.Service</c>), or null when the path has no such shape.</summary>
    internal static string? ServiceOf(string path)
    {
        if (path.Length < 4 || path[0] != '/')
        {
            return null;
        }

        var slash = path.IndexOf('/', 1);
        return slash > 1 && slash < path.Length - 1 && path.IndexOf('/', slash + 1) < 0 ? path[1..slash] : null;
    }

    internal static void CheckPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (ServiceOf(path) is null)
        {
            throw new ArgumentException($"method path '{path}' is not of the form /package.Service/Method", nameof(path));
        }
    }
}
