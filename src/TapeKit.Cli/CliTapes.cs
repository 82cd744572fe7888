using TapeKit.Devices;
using TapeKit.Devices.Linux;
using TapeKit.Devices.Virtual;

namespace TapeKit.Cli;

/// <summary>Opens the tape a command names: a virtual cartridge directory, or an st device on Linux.</summary>
public static class CliTapes
{
    /// <summary>Whether <paramref name="path"/> is a virtual cartridge directory.</summary>
    /// <param name="path">A path.</param>
    /// <returns>True for a cartridge directory.</returns>
    public static bool IsVirtualCartridge(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, "header"));

    /// <summary>Opens a drive handle on a virtual cartridge directory or an st device.</summary>
    /// <param name="console">For warnings.</param>
    /// <param name="device">A cartridge directory or a device such as <c>/dev/nst0</c>.</param>
    /// <returns>The handle; disposing it releases the drive.</returns>
    public static ITapeDrive Open(CliConsole console, string device)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentException.ThrowIfNullOrEmpty(device);
        if (IsVirtualCartridge(device))
        {
            return VirtualTapeDrive.Open(device);
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new TapeDriveException($"{device}: st tape drives are reachable on Linux only; on this system, use a virtual cartridge directory.", TapeErrorKind.NotSupported, null, "open", device);
        }

        return LinuxTapeDrive.Open(device, new TapeOpenOptions { AllowNoMedium = false }, warning => console.Error.WriteLine("tapekit: warning: " + warning));
    }

    /// <summary>Opens the tape of a <c>--tape PATH | --device DEV</c> pair; exactly one must be given.</summary>
    /// <param name="console">For warnings.</param>
    /// <param name="tape">A virtual cartridge directory.</param>
    /// <param name="device">An st device.</param>
    /// <returns>The handle.</returns>
    public static ITapeDrive Open(CliConsole console, string? tape, string? device)
    {
        if ((tape is null) == (device is null))
        {
            throw new CliUsageException("Name the tape with exactly one of --tape PATH (a virtual cartridge) or --device DEV (an st device).");
        }

        if (tape is not null && !IsVirtualCartridge(tape))
        {
            throw new CliUsageException($"--tape {tape}: not a virtual cartridge directory (create one with 'tapekit vtape create').");
        }

        return Open(console, tape ?? device!);
    }

    /// <summary>The VSN to expect: the one given, else the barcode of a virtual cartridge.</summary>
    /// <param name="vsn">The <c>--vsn</c> value.</param>
    /// <param name="tape">The <c>--tape</c> value.</param>
    /// <returns>The VSN.</returns>
    public static string ExpectedVsn(string? vsn, string? tape)
    {
        if (vsn is not null)
        {
            return vsn;
        }

        if (tape is not null)
        {
            return VirtualCartridge.ReadInfo(tape).Vsn;
        }

        throw new CliUsageException("--device needs --vsn: the VSN of the cartridge you mean to mount.");
    }
}
