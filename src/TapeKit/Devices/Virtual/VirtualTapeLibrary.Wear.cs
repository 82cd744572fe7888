using System.Globalization;
using System.Text;

namespace TapeKit.Devices.Virtual;

/// <summary>Cartridge wear: the loads and passes each cartridge has taken, kept in a <c>wear</c> file beside its data.</summary>
public sealed partial class VirtualTapeLibrary
{
    private static CartridgeWear ReadWear(string cartridge)
    {
        string path = Path.Combine(cartridge, "wear");
        long loads = 0, passes = 0, written = 0, read = 0, last = 0;
        if (File.Exists(path))
        {
            foreach (string line in File.ReadAllLines(path))
            {
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !long.TryParse(line[(eq + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
                {
                    continue;
                }

                switch (line[..eq])
                {
                    case "loads": loads = v; break;
                    case "passes-milli": passes = v; break;
                    case "bytes-written": written = v; break;
                    case "bytes-read": read = v; break;
                    case "last-load": last = v; break;
                }
            }
        }

        return new CartridgeWear(loads, passes, written, read, last);
    }

    private static void WriteWear(string cartridge, CartridgeWear w)
    {
        string text = string.Create(CultureInfo.InvariantCulture,
            $"loads={w.Loads}\npasses-milli={w.PassesMilli}\nbytes-written={w.BytesWritten}\nbytes-read={w.BytesRead}\nlast-load={w.LastLoadNanoseconds}\n");
        string temp = Path.Combine(cartridge, "wear.tmp");
        File.WriteAllText(temp, text, Encoding.UTF8);
        File.Move(temp, Path.Combine(cartridge, "wear"), overwrite: true);
    }

    /// <summary>Adds the bytes a drive moved between two readings of its counters to the cartridge's wear.</summary>
    private void AddTransferToWear(string path, (long Written, long Read) before, (long Written, long Read) after)
    {
        var wear = ReadWear(path);
        long written = after.Written - before.Written;
        long read = after.Read - before.Read;
        long capacity = Math.Max(1, (long)VirtualCartridge.ReadInfo(path).Capacity);
        WriteWear(path, wear with
        {
            BytesWritten = wear.BytesWritten + written,
            BytesRead = wear.BytesRead + read,
            PassesMilli = wear.PassesMilli + (long)((UInt128)(ulong)(written + read) * 1000 * (ulong)Options.Profile.Wraps / (ulong)capacity),
        });
    }
}
