using System.Globalization;
using System.Text;
using System.Text.Json;
using Chelonia.Wire;

namespace Chelonia.Demo;

/// <summary>What the demo measured (<c>demo --json</c> prints it as one JSON object).</summary>
public sealed record DemoReport
{
    /// <summary>Files uploaded through the Bartender.</summary>
    public int FilesUploaded { get; init; }

    /// <summary>Bytes uploaded.</summary>
    public long BytesUploaded { get; init; }

    /// <summary>Files downloaded at the end and found byte for byte as uploaded.</summary>
    public int FilesVerified { get; init; }

    /// <summary>Files that could not be downloaded or came back different.</summary>
    public int FilesLost { get; init; }

    /// <summary>Shepherds started.</summary>
    public int Shepherds { get; init; }

    /// <summary>Replicas every file needs.</summary>
    public int NeededReplicas { get; init; }

    /// <summary>The Shepherd killed with SIGKILL.</summary>
    public string KilledShepherd { get; init; } = "";

    /// <summary>Copies the killed Shepherd held.</summary>
    public int ReplicasOnKilledShepherd { get; init; }

    /// <summary>New copies registered between the kill and full replication (P2/P4).</summary>
    public int ReplicasRestored { get; init; }

    /// <summary>From the kill until every file had its replicas again on online nodes.</summary>
    public double SecondsToFullReplication { get; init; }

    /// <summary>Surplus copies deleted after the Shepherd came back (P11).</summary>
    public int SurplusRetired { get; init; }

    /// <summary>From the restart until no surplus was left.</summary>
    public double SecondsToSurplusRetired { get; init; }

    /// <summary>Copies damaged on disk (bytes flipped or the file deleted).</summary>
    public int CorruptionsInjected { get; init; }

    /// <summary>Of those, found (P6) and repaired in place (P7, P2) with a verified copy on disk.</summary>
    public int CorruptionsRepaired { get; init; }

    /// <summary>From the damage until every damaged copy was repaired.</summary>
    public double SecondsToRepair { get; init; }

    /// <summary>Reports (batches) the Librarian applied over the whole run.</summary>
    public long ReportBatches { get; init; }

    /// <summary>Entries in those reports.</summary>
    public long ReportEntries { get; init; }

    /// <summary>Digests the Librarian compared.</summary>
    public long DigestsCompared { get; init; }

    /// <summary>Uploading took this long.</summary>
    public double UploadSeconds { get; init; }

    /// <summary>Until every upload had all its replicas.</summary>
    public double SecondsToInitialReplication { get; init; }

    /// <summary>Downloading and verifying took this long.</summary>
    public double VerifySeconds { get; init; }

    /// <summary>The whole demo took this long.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Whether the demo showed what it must: nothing lost, everything verified, every corruption repaired.</summary>
    public bool Succeeded => FilesLost == 0 && FilesVerified == FilesUploaded && FilesUploaded > 0 && CorruptionsRepaired == CorruptionsInjected;

    /// <summary>The report as one JSON object.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ChelJson.Options);

    /// <summary>The report as a table for a terminal.</summary>
    public string ToTable()
    {
        var sb = new StringBuilder();
        foreach (System.Reflection.PropertyInfo p in typeof(DemoReport).GetProperties())
        {
            _ = sb.Append(CultureInfo.InvariantCulture, $"{JsonNamingPolicy.CamelCase.ConvertName(p.Name),-28} {Convert.ToString(p.GetValue(this), CultureInfo.InvariantCulture)}").Append('\n');
        }

        return sb.ToString().TrimEnd();
    }
}
