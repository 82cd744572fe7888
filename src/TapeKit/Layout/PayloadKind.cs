using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Layout;

/// <summary>What the data blocks of a tape file hold, recognised from its first block (<c>docs/formats/rules.md#fmt-f4-3</c>, F4.3).</summary>
public enum PayloadKind
{
    /// <summary>A plain AUL user file (or anything not recognised).</summary>
    Opaque,

    /// <summary>An IL stream (ALB 01.00).</summary>
    Il,

    /// <summary>A tar archive (with or without a TapeKit manifest).</summary>
    Tar,

    /// <summary>CTA's placeholder block for a zero-length or unreadable source (docs/formats/aul.md#1-what-is-on-the-tape); never written by TapeKit.</summary>
    CtaPlaceholder,
}

/// <summary>Recognition of <see cref="PayloadKind"/>.</summary>
public static class PayloadRecognition
{
    private static ReadOnlySpan<byte> CtaPlaceholderText => "This file intentionally left blank:"u8;

    /// <summary>Recognises the payload from the first data block, in the order of F4.3.</summary>
    /// <param name="firstBlock">The first data block of the file.</param>
    /// <returns>The kind.</returns>
    public static PayloadKind Recognise(ReadOnlySpan<byte> firstBlock)
    {
        if (IlHeader.IsIlBlock(firstBlock))
        {
            return PayloadKind.Il;
        }

        if (firstBlock.Length >= TarHeader.Size && TarHeader.IsTarHeader(firstBlock[..TarHeader.Size]))
        {
            return PayloadKind.Tar;
        }

        return firstBlock.StartsWith(CtaPlaceholderText) ? PayloadKind.CtaPlaceholder : PayloadKind.Opaque;
    }
}
