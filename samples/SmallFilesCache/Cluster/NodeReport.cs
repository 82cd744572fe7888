using System.Text.Json;
using System.Text.Json.Serialization;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Migration;

namespace SmallFilesCache.Cluster;

/// <summary>
/// What one incarnation of a migrator process did, rewritten atomically after each of its rounds under
/// <c>Root/cluster/reports/</c>: its write sessions and the simulated busy time of the drives it drove. The front end
/// sums them into the demo's figures (a killed process's last round may be missing: its rounds are redone by others).
/// </summary>
/// <param name="Instance">The instance name.</param>
/// <param name="Epoch">Its incarnation.</param>
/// <param name="Sessions">Its write sessions, oldest first.</param>
/// <param name="Drive">Where the simulated time of its drives went while it used them.</param>
public sealed record NodeReport(string Instance, long Epoch, IReadOnlyList<ArchiveSessionReport> Sessions, DriveTime Drive)
{
    /// <summary>The folder of the reports under a site root.</summary>
    /// <param name="root">The site root.</param>
    public static string Folder(string root) => Path.Combine(root, "cluster", "reports");

    /// <summary>Writes the report (a temporary file renamed over the last one, so a reader never sees half of it).</summary>
    /// <param name="root">The site root.</param>
    public void Write(string root)
    {
        string folder = Folder(root);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{Instance.Replace('/', '_')}.{Epoch}.json");
        string temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, NodeReportJson.Default.NodeReport));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Every report under a site root.</summary>
    /// <param name="root">The site root.</param>
    public static IReadOnlyList<NodeReport> ReadAll(string root)
    {
        string folder = Folder(root);
        return !Directory.Exists(folder)
            ? []
            : [.. Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal)
                .Select(f => JsonSerializer.Deserialize(File.ReadAllBytes(f), NodeReportJson.Default.NodeReport)!)];
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(NodeReport))]
internal sealed partial class NodeReportJson : JsonSerializerContext;
