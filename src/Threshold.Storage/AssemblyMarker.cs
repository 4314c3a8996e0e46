namespace Threshold.Storage;

/// <summary>Marker for the assembly while it is being built.</summary>
internal static class AssemblyMarker
{
}
