using System.Globalization;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

public sealed partial class AulVolume
{
    /// <summary>
    /// Safe append (<c>spec/formats.md</c> F11): checks, in Strict mode, that file
    /// <paramref name="lastFileSequence"/> is the last file on the tape, positions after it and
    /// returns a session that writes files n + 1, n + 2, …. A refused check leaves the tape untouched.
    /// </summary>
    /// <param name="lastFileSequence">n, the fseq of the last file the catalogue knows (0 for an empty tape).</param>
    /// <param name="writer">The label writer.</param>
    /// <param name="policy">How tape marks are laid.</param>
    /// <param name="overwriteLaterFiles">
    /// The one exception of F11.3: files after n are known to be failed and unreferenced (a crash
    /// before their sync), and may be overwritten.
    /// </param>
    /// <returns>The session.</returns>
    /// <exception cref="UnsafeOperationException">The tape does not end after file n: appending could destroy data.</exception>
    /// <exception cref="TapeFormatException">The labels read on the way are invalid.</exception>
    public AulAppendSession Append(long lastFileSequence, LabelWriter writer, TapeMarkPolicy policy, bool overwriteLaterFiles = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastFileSequence);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(policy);
        long position = KnownEnd is (long last, long end) && last == lastFileSequence
            ? end
            : lastFileSequence == 0 ? CheckEmptyTape(overwriteLaterFiles) : CheckAfterFile(lastFileSequence, overwriteLaterFiles);
        if (Drive.ReadPosition() != position)
        {
            // A locate costs seconds of tape motion: none when this mount already stands there.
            Drive.Locate(position);
        }

        return new AulAppendSession(this, writer, policy, lastFileSequence + 1, position);
    }

    /// <summary>
    /// F11.2: the object after VOL1 must be the PRELABEL HDR1; the first file overwrites it. With the explicit
    /// overwrite of F11.3 (the catalogue records every tape file as failed), the tape may instead end after VOL1 — a
    /// power loss took the unsynced first files, and st reports the blank as a media error (T8) — or hold a failed
    /// file 1, whose HDR1 is then overwritten too. Settled here: F11.3 says nothing of n = 0.
    /// </summary>
    private long CheckEmptyTape(bool overwriteFailedFiles)
    {
        Drive.Locate(1);
        TapeReadResult result;
        try
        {
            result = TapeReads.ReadObject(Drive, _labelBuffer, "PRELABEL HDR1", 1);
        }
        catch (TapeDriveException e) when (e.Kind == TapeErrorKind.MediaError)
        {
            return overwriteFailedFiles ? 1 : throw new UnsafeOperationException(
                $"Tape {Vsn}: the catalogue says the tape is empty, but nothing readable follows VOL1 (blank, or lost to a power loss); append only with an explicit overwrite.", "prelabel");
        }

        if (overwriteFailedFiles && result.Kind is TapeReadKind.EndOfData)
        {
            return 1;
        }

        if (result.Kind != TapeReadKind.Data || result.Length != AnsiLabel.Length)
        {
            throw new UnsafeOperationException(
                $"Tape {Vsn}: the catalogue says the tape is empty, but the object after VOL1 is not the PRELABEL HDR1; appending could destroy data.", "prelabel");
        }

        try
        {
            Hdr1Label.ParsePrelabel(_labelBuffer.AsSpan(0, AnsiLabel.Length), LabelReadMode.Strict, out _);
        }
        catch (TapeFormatException e)
        {
            if (overwriteFailedFiles && Hdr1Label.TryParse(_labelBuffer.AsSpan(0, AnsiLabel.Length), out Hdr1Label failed) && failed.FileSequence == 1)
            {
                return 1;
            }

            throw new UnsafeOperationException($"Tape {Vsn}: the catalogue says the tape is empty, but {e.Message}", "prelabel");
        }

        return 1;
    }

    /// <summary>F11.1 and F11.3: trailer of file n with UTL1 fseq = n, then end of data.</summary>
    private long CheckAfterFile(long n, bool overwriteLaterFiles)
    {
        Drive.Locate(1);
        try
        {
            TapeReads.SpaceFilemarks(Drive, (3 * n) - 1);
        }
        catch (TapeDriveException e) when (e.Kind is TapeErrorKind.EndOfData or TapeErrorKind.Filemark)
        {
            throw new UnsafeOperationException(string.Create(CultureInfo.InvariantCulture, $"Tape {Vsn} ends before file {n}: the catalogue is ahead of the tape; nothing was written."), "fileSequence");
        }

        long trailer = Drive.ReadPosition();
        FileLabelGroup trailers;
        try
        {
            trailers = ReadGroup(header: false, trailer);
            TapeReads.ReadFilemark(Drive, _labelBuffer, "the trailer labels", trailer + 3);
            AulChecks.CheckAppendTrailers(trailers, n);
        }
        catch (TapeFormatException e)
        {
            throw new UnsafeOperationException($"Tape {Vsn}: the append check after file {n} failed, nothing was written: {e.Message}", e.Field ?? "trailer");
        }

        long position = Drive.ReadPosition();
        if (overwriteLaterFiles)
        {
            return position;
        }

        TapeReadResult next = TapeReads.ReadObject(Drive, _labelBuffer, "end of data", position);
        if (next.Kind == TapeReadKind.Filemark)
        {
            // Legacy CASTOR double tape mark at the end: the new file overwrites it.
            next = TapeReads.ReadObject(Drive, _labelBuffer, "end of data", position + 1);
        }

        if (next.Kind != TapeReadKind.EndOfData)
        {
            throw new UnsafeOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Tape {Vsn} holds more after file {n} (object {position} is not end of data): the catalogue is behind the tape, and appending would destroy later files; nothing was written."),
                "fileSequence");
        }

        return position;
    }
}
