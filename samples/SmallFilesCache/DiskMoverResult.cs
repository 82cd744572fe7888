using TapeKit.Hsm.Model;

namespace SmallFilesCache;

/// <summary>What became of one file of a batch: its row, durable and <c>CACHED</c>, or why it was not ingested.</summary>
/// <param name="Record">The committed row (the bytes and the row are durable); <see langword="null"/> when <paramref name="Error"/> is set.</param>
/// <param name="Error">Why the file was not ingested (its cache copy removed); <see langword="null"/> when it was.</param>
public sealed record DiskMoverResult(FileRecord? Record, Exception? Error);
