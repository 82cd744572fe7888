using TapeKit.Devices;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Hsm.Rebuild;

/// <summary>Reads what a catalogue rebuild needs from one mounted cartridge (docs/hsm/overview.md#rebuilding-the-catalogue-from-tapes).</summary>
public static class TapeScanner
{
    /// <summary>
    /// Mounts the cartridge in the worker's drive strictly (the VOL1 must name <paramref name="vsn"/>) and scans it as
    /// <see cref="Scan"/> does, every drive call on the drive's thread: the way an asynchronous host scans its tapes.
    /// </summary>
    /// <param name="worker">The worker of the drive holding the cartridge (a <c>TapeMount</c>'s, or the host's own).</param>
    /// <param name="vsn">The cartridge's volume serial.</param>
    /// <param name="mediaType">The media type the catalogue records for the tape.</param>
    /// <param name="capacity">The cartridge's capacity estimate in bytes.</param>
    /// <param name="onFile">Called on the drive's thread for each file found, for progress; <see langword="null"/> for none.</param>
    /// <param name="ct">Stops the scan before its next drive call.</param>
    /// <returns>The scanned tape.</returns>
    /// <exception cref="TapeFormatException">The tape's labels or containers are not valid.</exception>
    /// <exception cref="UnsafeOperationException">The tape is another volume.</exception>
    /// <exception cref="TapeDriveException">The drive failed.</exception>
    public static Task<ScannedTape> ScanAsync(
        TapeDriveWorker worker, string vsn, string mediaType, long capacity, Action<TapeFileInfo>? onFile = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        ArgumentNullException.ThrowIfNull(mediaType);
        return worker.InvokeAsync(drive => Scan(AulVolume.Mount(drive, vsn, LabelReadMode.Strict), mediaType, capacity, onFile), ct);
    }

    /// <summary>Scans every file of the volume with its members; a plain file is read once for its Adler-32.</summary>
    /// <param name="volume">The mounted volume (the host opens the drive and mounts it, strictly for a rebuild).</param>
    /// <param name="mediaType">The media type the catalogue records for the tape.</param>
    /// <param name="capacity">The cartridge's capacity estimate in bytes.</param>
    /// <param name="onFile">Called for each file found, for progress; <see langword="null"/> for none.</param>
    /// <returns>The scanned tape.</returns>
    /// <exception cref="TapeFormatException">The tape's labels or containers are not valid.</exception>
    /// <exception cref="TapeDriveException">The drive failed.</exception>
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
