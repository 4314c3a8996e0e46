using Google.Protobuf.Reflection;
using Threshold.Rpc.Server;
using Threshold.Rpc.Tests.Protos;

namespace Threshold.Rpc.Tests;

/// <summary>Registrations checked against the .proto contract, and the values callers may put in them.</summary>
public sealed class ContractTests
{
    private static Task<EchoReply> Reply<T>(T request, RpcContext context) => Task.FromResult(new EchoReply());

    [Fact]
    public void FromDescriptorRefusesTypesOtherThanTheContracts()
    {
        var echo = EchoService.Descriptor.FindMethodByName("Echo");
        var failure = Assert.Throws<ArgumentException>(() => RpcMethod.FromDescriptor<FailRequest, EchoReply>(echo));
        Assert.Contains("takes threshold.rpc.test.EchoRequest", failure.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => RpcMethod.FromDescriptor<EchoRequest, EchoRequest>(echo));
        Assert.Equal("/threshold.rpc.test.Echo/Echo", RpcMethod.FromDescriptor<EchoRequest, EchoReply>(echo).Path);
    }

    [Fact]
    public void ValidateListsEveryDifferenceFromTheService()
    {
        var registry = new RpcServiceRegistry()
            .MapUnary(EchoService.Echo, Reply)
            .MapUnary<FailRequest, EchoReply>(EchoService.Slow.Path, FailRequest.Parser, Reply)
            .MapUnary<EchoRequest, EchoReply>("/threshold.rpc.test.Echo/Extra", EchoRequest.Parser, Reply)
            .MapUnary<EchoRequest, EchoReply>("/other.Service/Fine", EchoRequest.Parser, Reply);
        var failure = Assert.Throws<InvalidOperationException>(() => registry.Validate(EchoService.Descriptor));
        Assert.Contains("/threshold.rpc.test.Echo/Fail is declared but not registered", failure.Message, StringComparison.Ordinal);
        Assert.Contains("/threshold.rpc.test.Echo/Slow takes threshold.rpc.test.EchoRequest, registered with threshold.rpc.test.FailRequest", failure.Message, StringComparison.Ordinal);
        Assert.Contains("/threshold.rpc.test.Echo/Extra is registered but not declared", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("other.Service", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateAndMalformedPathsAreRefused()
    {
        var registry = new RpcServiceRegistry().MapUnary(EchoService.Echo, Reply);
        Assert.Throws<InvalidOperationException>(() => registry.MapUnary(EchoService.Echo, Reply));
        foreach (var path in new[] { "", "Echo", "/Echo", "/a.B/", "//M", "/a.B/C/D", "a.B/C" })
        {
            Assert.Throws<ArgumentException>(() => registry.MapUnary<EchoRequest, EchoReply>(path, EchoRequest.Parser, Reply));
        }
    }

    [Fact]
    public void MetadataKeysAndValuesAreChecked()
    {
        var metadata = new RpcMetadata().Add("X-Mixed-Case", "v").Add("blob-bin", [1, 2]);
        Assert.Equal("v", metadata.GetValue("x-mixed-case"));
        Assert.Equal([1, 2], metadata.GetBytes("blob-bin"));
        Assert.Throws<ArgumentException>(() => metadata.Add("grpc-status", "0"));
        Assert.Throws<ArgumentException>(() => metadata.Add("content-type", "text/plain"));
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("key", "line\nbreak"));
        Assert.Throws<ArgumentException>(() => metadata.Add("key", "é"));
        Assert.Throws<ArgumentException>(() => metadata.Add("text-bin", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("bytes", [1]));
    }

    [Fact]
    public void BinaryMetadataFromTheWireAcceptsPaddedUnpaddedAndJoinedValues()
    {
        var metadata = new RpcMetadata();
        metadata.AddFromWire("K-bin", "AQI=, AQI,!!!");
        metadata.AddFromWire("bad key", "dropped");
        metadata.AddFromWire("text", "caf\u00e9"); // not ASCII: dropped, not thrown
        Assert.Equal([[1, 2], [1, 2]], metadata.Select(e => e.ValueBytes!).ToArray());
        Assert.Equal("AQI", RpcMetadata.WireValue(metadata.First()));
    }

    [Fact]
    public void StreamingMethodsAreRefused()
    {
        var streaming = FileDescriptor.BuildFromByteStrings([StreamingProto()]).Single().Services[0].Methods[0];
        Assert.Throws<NotSupportedException>(() => RpcMethod.FromDescriptor<EchoRequest, EchoReply>(streaming));
    }

    private static Google.Protobuf.ByteString StreamingProto()
    {
        var file = new Google.Protobuf.Reflection.FileDescriptorProto { Name = "streaming.proto", Package = "s", Syntax = "proto3" };
        file.MessageType.Add(new DescriptorProto { Name = "M" });
        var service = new ServiceDescriptorProto { Name = "S" };
        service.Method.Add(new MethodDescriptorProto { Name = "Watch", InputType = ".s.M", OutputType = ".s.M", ServerStreaming = true });
        file.Service.Add(service);
        return Google.Protobuf.ByteString.CopyFrom(Google.Protobuf.MessageExtensions.ToByteArray(file));
    }
}
