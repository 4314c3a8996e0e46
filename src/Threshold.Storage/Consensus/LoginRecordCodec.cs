using System.Text.Json;
using System.Text.Json.Serialization;

namespace Threshold.Storage.Consensus;

/// <summary>The stored form of a <see cref="NodeLoginRecord"/>: compact JSON.</summary>
public static class LoginRecordCodec
{
    /// <summary>The record as JSON text.</summary>
    public static string Encode(NodeLoginRecord record) => JsonSerializer.Serialize(record, LoginRecordJson.Default.NodeLoginRecord);

    /// <summary>A record from its JSON text.</summary>
    /// <exception cref="FormatException">The text is not a record.</exception>
    public static NodeLoginRecord Decode(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LoginRecordJson.Default.NodeLoginRecord) ?? throw new FormatException("a login record is null");
        }
        catch (JsonException e)
        {
            throw new FormatException("a login record is not valid JSON", e);
        }
    }
}

/// <summary>Source-generated JSON for the consensus store's records.</summary>
[JsonSerializable(typeof(NodeLoginRecord))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class LoginRecordJson : JsonSerializerContext;
