namespace TapeKit.Hsm.Rebuild;

/// <summary>Who a tape occurrence is: a file id, or (without one) name, size and checksums.</summary>
internal readonly record struct RebuildIdentity(long FileId, string Name, long Size, uint Adler32, ulong? XxHash3);
