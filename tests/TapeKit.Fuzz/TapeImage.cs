using System.Buffers.Binary;
using System.Globalization;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Fuzz;

/// <summary>
/// A tape as a fuzzer mutates it: a compact byte image of its objects, turned into a real virtual cartridge to read.
/// </summary>
/// <remarks>
/// <para>Layout: one options byte, then objects until the input ends. An object starts with a tag byte:</para>
/// <list type="bullet">
/// <item><c>'F'</c> — a tape mark;</item>
/// <item><c>'L'</c> — an 80-byte block (a label): the next 80 bytes, zero-padded at the end of the input;</item>
/// <item><c>'B'</c> — a data block: a 16-bit little-endian length n (0 reads as 1), then n bytes (fewer at the end of the input);</item>
/// <item>any other byte is skipped, so mutations that break one object leave the rest readable.</item>
/// </list>
/// <para>At most <see cref="MaxObjects"/> objects are written: a bigger tape says nothing more and only costs time.</para>
/// </remarks>
public static class TapeImage
{
    /// <summary>The most objects an image writes.</summary>
    public const int MaxObjects = 4096;

    /// <summary>The VSN of a cartridge whose image has no usable VOL1.</summary>
    public const string DefaultVsn = "FUZZ01";

    /// <summary>Tag of a tape mark.</summary>
    public const byte Filemark = (byte)'F';

    /// <summary>Tag of an 80-byte block.</summary>
    public const byte Label = (byte)'L';

    /// <summary>Tag of a block with a length.</summary>
    public const byte Block = (byte)'B';

    /// <summary>One object of a tape: a block's bytes, or <see langword="null"/> for a tape mark.</summary>
    /// <param name="input">The image.</param>
    /// <returns>The options byte and the objects.</returns>
    public static (byte Options, List<byte[]?> Objects) Parse(ReadOnlySpan<byte> input)
    {
        var objects = new List<byte[]?>();
        if (input.IsEmpty)
        {
            return (0, objects);
        }

        byte options = input[0];
        int at = 1;
        while (at < input.Length && objects.Count < MaxObjects)
        {
            byte tag = input[at++];
            switch (tag)
            {
                case Filemark:
                    objects.Add(null);
                    break;
                case Label:
                {
                    byte[] label = new byte[80];
                    int n = Math.Min(80, input.Length - at);
                    input.Slice(at, n).CopyTo(label);
                    at += n;
                    objects.Add(label);
                    break;
                }

                case Block:
                {
                    if (input.Length - at < 2)
                    {
                        at = input.Length;
                        break;
                    }

                    int length = Math.Max(1, (int)BinaryPrimitives.ReadUInt16LittleEndian(input[at..]));
                    at += 2;
                    int n = Math.Min(length, input.Length - at);
                    if (n == 0)
                    {
                        break;
                    }

                    objects.Add(input.Slice(at, n).ToArray());
                    at += n;
                    break;
                }

                default:
                    break;
            }
        }

        return (options, objects);
    }

    /// <summary>Writes the image of a tape's objects (the inverse of <see cref="Parse"/>).</summary>
    /// <param name="options">The options byte.</param>
    /// <param name="objects">Blocks, and <see langword="null"/> for tape marks.</param>
    /// <returns>The image.</returns>
    public static byte[] Write(byte options, IEnumerable<byte[]?> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        using var image = new MemoryStream();
        image.WriteByte(options);
        Span<byte> length = stackalloc byte[2];
        foreach (byte[]? o in objects)
        {
            if (o is null)
            {
                image.WriteByte(Filemark);
            }
            else if (o.Length == 80)
            {
                image.WriteByte(Label);
                image.Write(o);
            }
            else
            {
                if (o.Length is 0 or > ushort.MaxValue)
                {
                    throw new ArgumentException($"A block of {o.Length} bytes does not fit a tape image.", nameof(objects));
                }

                image.WriteByte(Block);
                BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)o.Length);
                image.Write(length);
                image.Write(o);
            }
        }

        return image.ToArray();
    }

    /// <summary>
    /// The VSN of the cartridge built for an image: the VOL1's when the first object looks like one with a usable VSN
    /// (so the mount check can pass, as <c>tapekit tape dump</c> expects the cartridge's barcode), else <see cref="DefaultVsn"/>.
    /// </summary>
    /// <param name="objects">The objects.</param>
    /// <returns>A valid barcode.</returns>
    public static string VsnOf(List<byte[]?> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        if (objects.Count > 0 && objects[0] is { Length: 80 } vol1 && vol1.AsSpan(0, 4).SequenceEqual("VOL1"u8))
        {
            string vsn = System.Text.Encoding.ASCII.GetString(vol1, 4, 6).TrimEnd(' ');
            if (vsn.Length > 0 && vsn.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9')))
            {
                return vsn;
            }
        }

        return DefaultVsn;
    }

    /// <summary>Creates a cartridge in <paramref name="directory"/> holding the objects, written through a virtual drive.</summary>
    /// <param name="directory">A directory that does not exist yet.</param>
    /// <param name="vsn">The barcode.</param>
    /// <param name="objects">The objects.</param>
    public static void Build(string directory, string vsn, List<byte[]?> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        VirtualCartridge.Create(directory, vsn, MediaProfile.Lto9);
        using ITapeDrive drive = VirtualTapeDrive.Open(directory);
        foreach (byte[]? o in objects)
        {
            if (o is null)
            {
                drive.WriteFilemarks(1);
            }
            else
            {
                drive.WriteBlock(o);
            }
        }

        drive.Synchronize();
    }

    /// <summary>Reads every object of a cartridge from the start, as the tape image that would build it.</summary>
    /// <param name="directory">The cartridge.</param>
    /// <param name="options">The options byte of the image.</param>
    /// <returns>The image.</returns>
    public static byte[] Capture(string directory, byte options)
    {
        var objects = new List<byte[]?>();
        using ITapeDrive drive = VirtualTapeDrive.Open(directory);
        drive.Rewind();
        byte[] buffer = new byte[ushort.MaxValue + 1];
        while (true)
        {
            TapeReadResult r = drive.ReadBlock(buffer);
            if (r.Kind == TapeReadKind.EndOfData)
            {
                break;
            }

            objects.Add(r.Kind == TapeReadKind.Filemark ? null : buffer.AsSpan(0, r.Length).ToArray());
            if (objects.Count > MaxObjects)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{directory} has more than {MaxObjects} objects."));
            }
        }

        return Write(options, objects);
    }
}

/// <summary>A scratch directory for one input's cartridge, on a RAM disk when there is one; removed on dispose.</summary>
public sealed class Scratch : IDisposable
{
    private static readonly string Root = System.IO.Path.Combine(
        Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath(),
        string.Create(CultureInfo.InvariantCulture, $"tapekit-fuzz-{Environment.ProcessId}"));

    private static long _next;

    /// <summary>Creates a fresh, not yet existing path under the process's scratch root.</summary>
    public Scratch()
    {
        Directory.CreateDirectory(Root);
        Path = System.IO.Path.Combine(Root, Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The path (not created).</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still open on a crash path: the next run's root is another one.
        }
    }
}
