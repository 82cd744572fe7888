using TapeKit.Layout;

namespace TapeKit.Hsm.Rebuild;

/// <summary>One tape file as a scan found it.</summary>
/// <param name="Info">Its labels, payload kind and (for IL and tar) members.</param>
/// <param name="OpaqueAdler32">The Adler-32 of a plain (opaque) file, computed by reading it; <see langword="null"/> for an ALB file, whose members carry theirs.</param>
public sealed record ScannedFile(TapeFileInfo Info, uint? OpaqueAdler32);
