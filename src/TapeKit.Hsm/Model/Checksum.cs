namespace TapeKit.Hsm.Model;

/// <summary>
/// One checksum of a file, by name and text form as docs/formats/rules.md#fmt-f8, F8 defines them
/// (<c>adler32</c>: 8 lowercase hex digits, standard seed 1; <c>xxh3</c>, <c>xxh64</c>, <c>crc32c</c>, …).
/// </summary>
/// <param name="Type">The algorithm name, lowercase.</param>
/// <param name="Value">The text form of the value.</param>
public readonly record struct Checksum(string Type, string Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Type}:{Value}";
}
