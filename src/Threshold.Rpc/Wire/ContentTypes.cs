namespace Threshold.Rpc.Wire;

/// <summary>The media types the server tells apart.</summary>
internal static class ContentTypes
{
    public const string Grpc = "application/grpc";
    public const string Json = "application/json";

    /// <summary>application/grpc or application/grpc+proto (parameters ignored).</summary>
    public static bool IsGrpcProto(string? contentType) =>
        MediaType(contentType) is "application/grpc" or "application/grpc+proto";

    /// <summary>Anything in the application/grpc family, including variants we do not serve (+json, -web).</summary>
    public static bool IsGrpcFamily(string? contentType) =>
        MediaType(contentType).StartsWith(Grpc, StringComparison.Ordinal);

    public static bool IsJson(string? contentType) => MediaType(contentType) == Json;

    private static string MediaType(string? contentType)
    {
        if (contentType is null)
        {
            return string.Empty;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }
}
