using System.Runtime.Versioning;

namespace TapeKit.Devices.Linux;

/// <summary>
/// Opens Linux st tape drives (<c>/dev/nstN</c>) through the one front end (docs/devices/st-driver.md): <c>LibraryImport</c> P/Invoke of libc, the exact LP64 mtio structures, errno mapped to
/// <see cref="TapeDriveException"/>. Linux only (x86_64, aarch64; ppc64le request numbers are
/// specified but untested, open point O10).
/// </summary>
[SupportedOSPlatform("linux")]
public static class LinuxTapeDrive
{
    /// <summary>Opens a handle on an st device.</summary>
    /// <param name="devicePath">The no-rewind node, e.g. <c>/dev/nst0</c>. An auto-rewind <c>/dev/stN</c> node works but rewinds at every close (P9); <paramref name="warning"/> is told.</param>
    /// <param name="options">How to open the handle.</param>
    /// <param name="warning">Receives warnings: an auto-rewind node, unreadable driver options.</param>
    /// <returns>The handle; dispose it to close the device (checked, docs/devices/st-driver.md#errors).</returns>
    /// <exception cref="PlatformNotSupportedException">Not Linux, or an architecture whose ioctl encoding TapeKit does not know.</exception>
    /// <exception cref="TapeDriveException">The open failed; <see cref="TapeDriveException.Kind"/> says why.</exception>
    public static ITapeDrive Open(string devicePath, TapeOpenOptions? options = null, Action<string>? warning = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(devicePath);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The st tape backend runs on Linux only; use the virtual tape drive elsewhere.");
        }

        _ = St.MtioRequests.Current;
        string name = Path.GetFileName(devicePath);
        if (name.StartsWith("st", StringComparison.Ordinal))
        {
            warning?.Invoke($"{devicePath} rewinds the tape at every close (pitfall P9); use /dev/n{name} instead.");
        }

        var sys = new LinuxStSyscalls();
        try
        {
            var drive = StTapeDrive.Open(sys, devicePath, devicePath, options, sys.Dispose);
            if (drive.OpenWarning is { } text)
            {
                warning?.Invoke(text);
            }

            return drive;
        }
        catch
        {
            sys.Dispose();
            throw;
        }
    }
}
