namespace TapeKit.IO;

/// <summary>A node found in a directory: its path and its type as the directory records it (no <c>stat</c> needed).</summary>
/// <param name="Path">The node's path: the listed directory's path, then the names below it.</param>
/// <param name="Type">Its type; a symbolic link is <see cref="FileNodeType.SymbolicLink"/>, never its target's type.</param>
public readonly record struct FileNodeEntry(string Path, FileNodeType Type);
