using System.Globalization;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

public sealed partial class AulVolume
{
    /// <summary>
    /// Safe append (<c>docs/formats/rules.md#fmt-f11</c>, F11): checks, in Strict mode, that file
    /// <paramref name="lastFileSequence"/> is the last file on the tape, positions after it and
    /// returns a session that writes files n + 1, n + 2, …. A refused check leaves the tape untouched.
    /// </summary>
    /// <param name="lastFileSequence">n, the fseq of the last file the catalogue knows (0 for an empty tape).</param>
    /// <param name="writer">The label writer.</param>
    /// <param name="policy">How tape marks are laid.</param>
    /// <param name="overwriteLaterFiles">
    /// The one exception of F11.3: files after n are known to be failed and unreferenced (a crash
    /// before their sync), and may be overwritten — however many there are. A caller that knows how many
    /// failed files follow uses <see cref="AppendOverFailedFiles"/>, which still refuses a file it does not account for.
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
    /// Safe append over failed files (the explicit overwrite of <c>docs/formats/rules.md#fmt-f11-3</c>, F11.3, bounded): like
    /// <see cref="Append"/> after file <paramref name="lastFileSequence"/>, except that files n + 1 …
    /// <paramref name="lastFailedFileSequence"/> — which the caller's catalogue records as failed and unreferenced
    /// (written, never committed) — may be overwritten; they may also be missing or cut short (a power loss took what
    /// was not synced). Anything after them refuses the append: the catalogue lags the tape, and a file it does not
    /// account for is never destroyed. With <paramref name="lastFailedFileSequence"/> = n this is the strict check.
    /// </summary>
    /// <param name="lastFileSequence">n, the fseq of the last committed file (0 for an empty tape).</param>
    /// <param name="lastFailedFileSequence">m ≥ n: files n + 1 … m are known failed and may be overwritten.</param>
    /// <param name="writer">The label writer.</param>
    /// <param name="policy">How tape marks are laid.</param>
    /// <returns>The session; its first file gets fseq n + 1.</returns>
    /// <exception cref="UnsafeOperationException">
    /// The check after file n failed, or the tape holds more than m files (<see cref="UnsafeOperationKind.CatalogueBehindTape"/>);
    /// nothing was written.
    /// </exception>
    /// <exception cref="TapeFormatException">The labels read on the way are invalid.</exception>
    public AulAppendSession AppendOverFailedFiles(long lastFileSequence, long lastFailedFileSequence, LabelWriter writer, TapeMarkPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lastFileSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastFailedFileSequence, lastFileSequence);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(policy);
        if (lastFailedFileSequence == lastFileSequence || KnownEnd is (long last, _) && last == lastFileSequence)
        {
            // Nothing to overwrite, or this mount wrote the tape's end itself and knows nothing follows.
            return Append(lastFileSequence, writer, policy);
        }

        long position = lastFileSequence == 0 ? CheckEmptyTape(overwriteFailedFiles: true) : CheckAfterFile(lastFileSequence, overwriteLaterFiles: true);
        RequireEndWithin(position, lastFileSequence, lastFailedFileSequence);
        Drive.Locate(position);
        return new AulAppendSession(this, writer, policy, lastFileSequence + 1, position);
    }

    /// <summary>
    /// From <paramref name="position"/> (where file n + 1 starts), the tape must end within the m − n failed files:
    /// end of data (or st's blank-tape media error) before or right after their 3 (m − n) tape marks.
    /// </summary>
    private void RequireEndWithin(long position, long n, long m)
    {
        Drive.Locate(position);
        try
        {
            TapeReads.SpaceFilemarks(Drive, 3 * (m - n));
        }
        catch (TapeDriveException e) when (e.Kind is TapeErrorKind.EndOfData or TapeErrorKind.Filemark or TapeErrorKind.MediaError)
        {
            return; // The tape ends among the failed files.
        }

        long after = Drive.ReadPosition();
        bool ends;
        try
        {
            ends = TapeReads.ReadObject(Drive, _labelBuffer, "end of data", after).Kind == TapeReadKind.EndOfData;
        }
        catch (TapeDriveException e) when (e.Kind == TapeErrorKind.MediaError)
        {
            ends = true; // How st reports blank tape after a power loss (T8).
        }
        catch (TapeFormatException)
        {
            ends = false; // A data block longer than a label: a file the catalogue does not know.
        }

        if (!ends)
        {
            throw new UnsafeOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Tape {Vsn} holds more after file {m} (object {after} is not end of data), but the catalogue accounts only for files {n + 1}–{m}, as failed: it is behind the tape, and appending would destroy later files; nothing was written."),
                "fileSequence", UnsafeOperationKind.CatalogueBehindTape);
        }
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
                $"Tape {Vsn}: the catalogue says the tape is empty, but nothing readable follows VOL1 (blank, or lost to a power loss); append only with an explicit overwrite.", "prelabel",
                UnsafeOperationKind.AppendCheckFailed);
        }

        if (overwriteFailedFiles && result.Kind is TapeReadKind.EndOfData)
        {
            return 1;
        }

        if (result.Kind != TapeReadKind.Data || result.Length != AnsiLabel.Length)
        {
            throw new UnsafeOperationException(
                $"Tape {Vsn}: the catalogue says the tape is empty, but the object after VOL1 is not the PRELABEL HDR1; appending could destroy data.", "prelabel",
                UnsafeOperationKind.AppendCheckFailed);
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

            // The HDR1 of a real file 1 where the prelabel should be: files were written that the catalogue does not know.
            UnsafeOperationKind kind = Hdr1Label.TryParse(_labelBuffer.AsSpan(0, AnsiLabel.Length), out Hdr1Label found) && found.FileSequence == 1
                ? UnsafeOperationKind.CatalogueBehindTape
                : UnsafeOperationKind.AppendCheckFailed;
            throw new UnsafeOperationException($"Tape {Vsn}: the catalogue says the tape is empty, but {e.Message}", "prelabel", kind);
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
            throw new UnsafeOperationException(string.Create(CultureInfo.InvariantCulture, $"Tape {Vsn} ends before file {n}: the catalogue is ahead of the tape; nothing was written."), "fileSequence",
                UnsafeOperationKind.CatalogueAheadOfTape);
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
            throw new UnsafeOperationException($"Tape {Vsn}: the append check after file {n} failed, nothing was written: {e.Message}", e.Field ?? "trailer",
                UnsafeOperationKind.AppendCheckFailed);
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
                "fileSequence", UnsafeOperationKind.CatalogueBehindTape);
        }

        return position;
    }
}
