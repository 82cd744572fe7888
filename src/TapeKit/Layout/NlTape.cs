using System.Globalization;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

/// <summary>
/// NL (no-label) tapes (<c>docs/formats/rules.md#fmt-f9</c>, F9): data blocks and tape marks only, two tape marks
/// after the last file. No VSN, file id or block size is recorded, so none of the AUL checks is
/// possible; the writer still refuses to overwrite a labelled cartridge.
/// </summary>
public static class NlTape
{
    /// <summary>The default maximum block size a reader accepts (docs/formats/README.md#choice-nl-block-size).</summary>
    public const int DefaultMaxBlockSize = 8 * 1024 * 1024;

    /// <summary>
    /// Appends file k + 1 after the <paramref name="existingFiles"/> files on the tape (F9.2): space
    /// k tape marks from BOT, require a tape mark or end of data there, write the blocks, then two
    /// tape marks (synchronising).
    /// </summary>
    /// <param name="drive">The drive.</param>
    /// <param name="existingFiles">k, the number of files already on the tape.</param>
    /// <param name="data">The file; it must not be empty.</param>
    /// <param name="blockSize">S; the last block may be shorter.</param>
    /// <returns>The file written.</returns>
    /// <exception cref="UnsafeOperationException">The tape is labelled, or holds more than k files.</exception>
    public static TapeFileInfo AppendFile(ITapeDrive drive, long existingFiles, Stream data, int blockSize = 262144)
    {
        ArgumentNullException.ThrowIfNull(drive);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(existingFiles);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        byte[] block = new byte[Math.Max(blockSize, TapeReads.LabelBufferSize)];
        RefuseLabelledTape(drive, block);

        drive.Rewind();
        SpaceMarks(drive, existingFiles);
        long start = drive.ReadPosition();
        // At BOT of a tape said to be blank only end of data is acceptable; after file k, its second tape mark or end of data.
        TapeReadResult next = existingFiles == 0
            ? TapeReads.ReadFirstObject(drive, block)
            : TapeReads.ReadObject(drive, block, "a tape mark or end of data", start);
        if (next.Kind == TapeReadKind.Data || (existingFiles == 0 && next.Kind != TapeReadKind.EndOfData))
        {
            throw new UnsafeOperationException(string.Create(CultureInfo.InvariantCulture, $"The NL tape holds more than {existingFiles} files; appending would destroy file {existingFiles + 1}."), "fileSequence",
                UnsafeOperationKind.CatalogueBehindTape);
        }

        drive.Locate(start);

        int length = data.ReadAtLeast(block.AsSpan(0, blockSize), blockSize, throwOnEndOfStream: false);
        if (length == 0)
        {
            throw new ArgumentException("A zero-length file cannot be written to an NL tape: it would read as end of data (F9.2).", nameof(data));
        }

        long blocks = 0, bytes = 0;
        while (length > 0)
        {
            drive.WriteBlock(block.AsSpan(0, length));
            blocks++;
            bytes += length;
            length = length < blockSize ? 0 : data.ReadAtLeast(block.AsSpan(0, blockSize), blockSize, throwOnEndOfStream: false);
        }

        drive.WriteFilemarks(2);
        return new TapeFileInfo(existingFiles + 1, start, 0, blockSize, blocks, bytes, PayloadKind.Opaque);
    }

    /// <summary>Reads file <paramref name="fileSequence"/> (F9.4): it starts after n − 1 tape marks from BOT.</summary>
    /// <param name="drive">The drive.</param>
    /// <param name="fileSequence">n, from 1.</param>
    /// <param name="destination">Where the data goes; <see langword="null"/> to only count.</param>
    /// <param name="maxBlockSize">The largest block accepted.</param>
    /// <returns>The file read.</returns>
    /// <exception cref="TapeFormatException">The file does not exist (end of data) or a block is too large.</exception>
    public static TapeFileInfo ReadFile(ITapeDrive drive, long fileSequence, Stream? destination, int maxBlockSize = DefaultMaxBlockSize)
    {
        ArgumentNullException.ThrowIfNull(drive);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileSequence, 1);
        drive.Rewind();
        SpaceMarks(drive, fileSequence - 1);
        long start = drive.ReadPosition();
        byte[] buffer = new byte[maxBlockSize];
        long blocks = 0, bytes = 0;
        int largest = 0;
        while (true)
        {
            TapeReadResult result = TapeReads.ReadObject(drive, buffer, string.Create(CultureInfo.InvariantCulture, $"a data block of at most {maxBlockSize} bytes"), start + blocks);
            if (result.Kind != TapeReadKind.Data)
            {
                if (blocks == 0)
                {
                    throw new TapeFormatException(
                        string.Create(CultureInfo.InvariantCulture, $"The NL tape has no file {fileSequence}: object {start} is {(result.Kind == TapeReadKind.Filemark ? "a tape mark (end of data)" : "end of data")}."),
                        "NL tape", "fileSequence", start, 0, string.Empty);
                }

                return new TapeFileInfo(fileSequence, start, 0, largest, blocks, bytes, PayloadKind.Opaque);
            }

            destination?.Write(buffer, 0, result.Length);
            blocks++;
            bytes += result.Length;
            largest = Math.Max(largest, result.Length);
        }
    }

    /// <summary>Lists the files of an NL tape: end of data is two tape marks, or end of data after one (F9.4).</summary>
    /// <param name="drive">The drive.</param>
    /// <param name="maxBlockSize">The largest block accepted.</param>
    /// <returns>The files.</returns>
    public static IReadOnlyList<TapeFileInfo> Scan(ITapeDrive drive, int maxBlockSize = DefaultMaxBlockSize)
    {
        ArgumentNullException.ThrowIfNull(drive);
        var files = new List<TapeFileInfo>();
        byte[] buffer = new byte[maxBlockSize];
        long position = 0;
        while (true)
        {
            long start = position, blocks = 0, bytes = 0;
            int largest = 0;
            PayloadKind payload = PayloadKind.Opaque;
            TapeReadResult result = position == 0 ? TapeReads.ReadFirstObject(drive, buffer) : TapeReads.ReadObject(drive, buffer, "a data block", position);
            for (; result.Kind == TapeReadKind.Data; result = TapeReads.ReadObject(drive, buffer, "a data block", position))
            {
                if (blocks == 0)
                {
                    payload = PayloadRecognition.Recognise(buffer.AsSpan(0, result.Length));
                }

                blocks++;
                bytes += result.Length;
                largest = Math.Max(largest, result.Length);
                position++;
            }

            if (blocks == 0)
            {
                return files;
            }

            files.Add(new TapeFileInfo(files.Count + 1, start, 0, largest, blocks, bytes, payload));
            if (result.Kind == TapeReadKind.EndOfData)
            {
                return files;
            }

            position++;
        }
    }

    private static void RefuseLabelledTape(ITapeDrive drive, byte[] buffer)
    {
        TapeReadResult first;
        try
        {
            first = TapeReads.ReadFirstObject(drive, buffer);
        }
        catch (TapeFormatException e) when (e.InnerException is TapeDriveException { Kind: TapeErrorKind.BlockTooLarge })
        {
            // A first block larger than this file's blocks (an earlier file written with a larger S) is no 80-byte VOL1.
            return;
        }

        if (first.Kind == TapeReadKind.Data && first.Length == AnsiLabel.Length && buffer.AsSpan(0, 4).SequenceEqual("VOL1"u8))
        {
            throw new UnsafeOperationException("The cartridge starts with a VOL1 label: it is an AUL tape, and NL writing would destroy it (F9.3).", "vol1", UnsafeOperationKind.MediumHoldsData);
        }
    }

    private static void SpaceMarks(ITapeDrive drive, long count)
    {
        try
        {
            TapeReads.SpaceFilemarks(drive, count);
        }
        catch (TapeDriveException e) when (e.Kind is TapeErrorKind.EndOfData)
        {
            throw new TapeFormatException("The NL tape has fewer files than expected: end of data while spacing tape marks.", "NL tape", "fileSequence", drive.ReadPosition(), 0, string.Empty, e);
        }
    }
}
