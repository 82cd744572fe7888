using TapeKit.Layout;

namespace TapeKit.Hsm.Rebuild;

/// <summary>Reads what a catalogue rebuild needs from one mounted cartridge (spec/hsm.md §5.5).</summary>
public static class TapeScanner
{
    /// <summary>Scans every file of the volume with its members; a plain file is read once for its Adler-32.</summary>
    /// <param name="volume">The mounted volume (the host opens the drive and mounts it, strictly for a rebuild).</param>
    /// <param name="mediaType">The media type the catalogue records for the tape.</param>
    /// <param name="capacity">The cartridge's capacity estimate in bytes.</param>
    /// <param name="onFile">Called for each file found, for progress; <see langword="null"/> for none.</param>
    /// <returns>The scanned tape.</returns>
    /// <exception cref="TapeFormatException">The tape's labels or containers are not valid.</exception>
    /// <exception cref="Devices.TapeDriveException">The drive failed.</exception>
    public static ScannedTape Scan(AulVolume volume, string mediaType, long capacity, Action<TapeFileInfo>? onFile = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(mediaType);
        var files = new List<ScannedFile>();
        foreach (TapeFileInfo file in volume.Scan(withMembers: true, onFile: onFile))
        {
            // A plain file's Adler-32 is on no label: read the file once to learn it.
            uint? adler = file.Payload == PayloadKind.Opaque ? volume.ReadFile(file.FileSequence, file.FileId, null, file.CtaBlockId).Adler32 : null;
            files.Add(new ScannedFile(file, adler));
        }

        return new ScannedTape(volume.Vsn, mediaType, capacity, files);
    }
}
