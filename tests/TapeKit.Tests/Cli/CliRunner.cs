using System.Text;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>Runs the tapekit tool in-process and captures what an operator would see.</summary>
internal static class CliRunner
{
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        CliRun run = CliRun.Of(args);
        return (run.ExitCode, run.Stdout, run.Stderr);
    }
}

/// <summary>Builds tar archives record by record, including ones no honest writer produces.</summary>
internal sealed class RawTar
{
    private readonly List<byte> _bytes = [];

    public RawTar Entry(string name, byte type = (byte)'0', byte[]? data = null, string link = "", long? sizeField = null, bool gnu = false, byte[]? rawName = null)
    {
        byte[] header = new byte[512];
        (rawName ?? Encoding.UTF8.GetBytes(name)).AsSpan(0, Math.Min(100, (rawName ?? Encoding.UTF8.GetBytes(name)).Length)).CopyTo(header);
        Octal(header, 100, 8, Convert.ToInt32("644", 8));
        Octal(header, 108, 8, 0);
        Octal(header, 116, 8, 0);
        Octal(header, 124, 12, sizeField ?? data?.Length ?? 0);
        Octal(header, 136, 12, 1700000000);
        header[156] = type;
        Encoding.UTF8.GetBytes(link).CopyTo(header, 157);
        (gnu ? "ustar  \0"u8 : "ustar\000"u8).CopyTo(header.AsSpan(257));
        Seal(header);
        _bytes.AddRange(header);
        if (data is not null)
        {
            _bytes.AddRange(data);
            _bytes.AddRange(new byte[(512 - (data.Length % 512)) % 512]);
        }

        return this;
    }

    public RawTar Pax(string key, string value)
    {
        string body = $" {key}={value}\n";
        int length = body.Length + 1;
        while (length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + body.Length != length)
        {
            length++;
        }

        return Entry("PaxHeaders/x", (byte)'x', Encoding.UTF8.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + body));
    }

    public byte[] End(bool endBlocks = true)
    {
        if (endBlocks)
        {
            _bytes.AddRange(new byte[1024]);
        }

        return [.. _bytes];
    }

    public static void Seal(byte[] header)
    {
        header.AsSpan(148, 8).Fill((byte)' ');
        int sum = header.Sum(b => b);
        Octal(header, 148, 7, sum);
        header[155] = (byte)' ';
    }

    private static void Octal(byte[] header, int offset, int length, long value)
    {
        string text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(header, offset);
        header[offset + length - 1] = 0;
    }
}
