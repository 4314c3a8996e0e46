using System.Text.Json;

namespace Threshold.Opaque.Tests.Support;

/// <summary>Reads the published vectors embedded from Vectors/ (see Vectors/README.md for their origin).</summary>
internal static class VectorFiles
{
    public static JsonElement Load(string fileName)
    {
        using var stream = typeof(VectorFiles).Assembly.GetManifestResourceStream($"vectors/{fileName}")
            ?? throw new FileNotFoundException($"embedded vector file {fileName} is missing");
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }

    public static byte[] Hex(this JsonElement element, string property) => Convert.FromHexString(element.GetProperty(property).GetString()!);

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;
}
