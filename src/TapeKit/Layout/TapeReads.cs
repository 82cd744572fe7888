using System.Globalization;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

/// <summary>Reads of labels and marks with the exactness CTA's <c>readExactBlock</c> demands (<c>docs/formats/aul.md#5-reading-and-appending</c>).</summary>
internal static class TapeReads
{
    /// <summary>A label buffer larger than a label, so that a longer block is seen as such rather than cut.</summary>
    public const int LabelBufferSize = 256;

    /// <summary>Reads one object that must be an 80-byte label.</summary>
    public static void ReadLabel(ITapeDrive drive, Span<byte> buffer, string expected, long objectId)
    {
        TapeReadResult result = ReadObject(drive, buffer, expected, objectId);
        if (result.Kind != TapeReadKind.Data)
        {
            throw Misplaced(expected, objectId, result.Kind == TapeReadKind.Filemark ? "a tape mark" : "end of data");
        }

        if (result.Length != AnsiLabel.Length)
        {
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {expected} (an 80-byte label) at object {objectId}; found a block of {result.Length} bytes."),
                expected, "block", objectId, result.Length, TapeFormatException.Printable(buffer[..Math.Min(result.Length, 80)]));
        }
    }

    /// <summary>Reads one object that must be a tape mark.</summary>
    public static void ReadFilemark(ITapeDrive drive, Span<byte> buffer, string after, long objectId)
    {
        TapeReadResult result = ReadObject(drive, buffer, "tape mark", objectId);
        if (result.Kind != TapeReadKind.Filemark)
        {
            throw Misplaced($"the tape mark after {after}", objectId, result.Kind == TapeReadKind.Data ? $"a block of {result.Length} bytes" : "end of data");
        }
    }

    /// <summary>Reads one object, turning a block longer than the buffer into a format error.</summary>
    public static TapeReadResult ReadObject(ITapeDrive drive, Span<byte> buffer, string expected, long objectId)
    {
        try
        {
            return drive.ReadBlock(buffer);
        }
        catch (TapeDriveException e) when (e.Kind == TapeErrorKind.BlockTooLarge)
        {
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"Expected {expected} at object {objectId}; found a block larger than {buffer.Length} bytes."),
                expected, "block", objectId, buffer.Length, string.Empty, e);
        }
    }

    /// <summary>
    /// Reads the first object at BOT. A media error there is how st reports a blank cartridge
    /// (T8; <c>docs/devices/st-driver.md#errors</c>): it is taken as end of data, i.e. "blank or unreadable".
    /// </summary>
    public static TapeReadResult ReadFirstObject(ITapeDrive drive, Span<byte> buffer)
    {
        drive.Rewind();
        try
        {
            return ReadObject(drive, buffer, "the first object", 0);
        }
        catch (TapeDriveException e) when (e.Kind == TapeErrorKind.MediaError)
        {
            return new TapeReadResult(TapeReadKind.EndOfData, 0);
        }
    }

    /// <summary>Spaces forward over <paramref name="count"/> tape marks, in steps the st count field can hold.</summary>
    public static void SpaceFilemarks(ITapeDrive drive, long count)
    {
        while (count > 0)
        {
            int step = (int)Math.Min(count, 0x7FFFFF);
            drive.SpaceFilemarks(step);
            count -= step;
        }
    }

    public static TapeFormatException Misplaced(string expected, long objectId, string found) => new(
        string.Create(CultureInfo.InvariantCulture, $"Expected {expected} at object {objectId}; found {found}. The tape's layout is not AUL here, or the position is wrong."),
        expected, null, objectId, 0, found);
}
