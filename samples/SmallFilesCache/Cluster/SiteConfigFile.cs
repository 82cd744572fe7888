using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmallFilesCache.Cluster;

/// <summary>
/// The site's options as one JSON file that every process of a clustered site reads (<c>node ROLE --config FILE</c>):
/// one source of truth for engines, disk libraries, policies and leases.
/// </summary>
public static class SiteConfigFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Writes the options.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The site.</param>
    public static void Write(string path, SiteOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(options, Json));
    }

    /// <summary>Reads the options.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ArgumentException">The file is missing or is not a site's options.</exception>
    public static SiteOptions Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SiteOptions>(File.ReadAllText(path), Json)
                ?? throw new ArgumentException($"{path}: the site configuration is empty (null).");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ArgumentException($"{path}: cannot read the site configuration: {e.Message}", e);
        }
    }
}

/// <summary>The arguments of <c>node ROLE</c>.</summary>
/// <param name="Role">Dispatcher or migrator.</param>
/// <param name="Config">The site's configuration file.</param>
/// <param name="Instance">This process's instance name.</param>
/// <param name="DiskLibrary">A migrator's disk library.</param>
public sealed record NodeArguments(SiteRole Role, string Config, string Instance, string? DiskLibrary);
