using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TapeKit.Devices.Linux;

namespace TapeKit.Conformance.Support;

/// <summary>
/// Loads <c>libtapekit_vst.so</c> in place of "libc" for TapeKit's P/Invoke imports
/// (spec/tape-devices.md §8.6), so the real Linux backend runs end to end over virtual cartridges.
/// The library is found through <c>TAPEKIT_VST_LIB</c> or <c>artifacts/native/&lt;rid&gt;/</c>.
/// The emulation is process-wide state: tests that use it belong to <see cref="EmulationTests"/>.
/// </summary>
public static partial class NativeEmulation
{
    private static readonly Lazy<(IntPtr Handle, string? Reason)> Library = new(Load);

    /// <summary>Whether the emulation library was found and loaded.</summary>
    public static bool Available => Library.Value.Handle != IntPtr.Zero;

    /// <summary>Why it is unavailable, or <see langword="null"/>.</summary>
    public static string? UnavailableReason => Library.Value.Reason;

    /// <summary>The repository root (the directory holding <c>TapeKit.sln</c>).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TapeKit.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("The repository root (TapeKit.sln) was not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The native artifacts folder, <c>artifacts/native/&lt;rid&gt;</c>.</summary>
    public static string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts", "native", RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        var a => "linux-" + a.ToString().ToLowerInvariant(),
    });

    /// <summary>Throws with the reason when the library is missing (tests call this first).</summary>
    public static void Require()
    {
        if (!Available)
        {
            throw new InvalidOperationException("The native st emulation is required but unavailable: " + UnavailableReason);
        }
    }

    [ModuleInitializer]
#pragma warning disable CA2255 // The resolver must be registered before any TapeKit import is bound (§8.6).
    internal static void Initialise()
#pragma warning restore CA2255
    {
        NativeLibrary.SetDllImportResolver(typeof(LinuxTapeDrive).Assembly, (name, _, _) =>
            name == "libc" && Available ? Library.Value.Handle : IntPtr.Zero);
        NativeLibrary.SetDllImportResolver(typeof(NativeEmulation).Assembly, (name, _, _) =>
            name == "tapekit_vst" && Available ? Library.Value.Handle : IntPtr.Zero);
    }

    private static (IntPtr, string?) Load()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (IntPtr.Zero, "the st emulation runs on Linux only");
        }

        string? path = Environment.GetEnvironmentVariable("TAPEKIT_VST_LIB");
        if (string.IsNullOrEmpty(path))
        {
            try
            {
                path = Path.Combine(ArtifactsDirectory, "libtapekit_vst.so");
            }
            catch (InvalidOperationException e)
            {
                return (IntPtr.Zero, e.Message);
            }
        }

        if (!File.Exists(path))
        {
            return (IntPtr.Zero, $"{path} does not exist; build native/ with cmake (as .ci/run does) or set TAPEKIT_VST_LIB");
        }

        return (NativeLibrary.Load(path), null);
    }

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_set_root", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int SetRoot(string dir);

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_configure", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Configure(int drive, string confText);

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_inject", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Inject(int drive, string faultLine);

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_power_loss", SetLastError = true)]
    internal static partial int PowerLoss(int drive);

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_reset", SetLastError = true)]
    internal static partial int Reset();

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_version")]
    internal static partial int Version();

    [LibraryImport("tapekit_vst", EntryPoint = "tkvst_last_error")]
    private static partial IntPtr LastErrorPointer();

    /// <summary>The emulation's last error text.</summary>
    public static string LastError => Marshal.PtrToStringUTF8(LastErrorPointer()) ?? "";

    /// <summary>Throws when a control call failed.</summary>
    internal static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"{what} failed: {LastError}");
        }
    }
}

/// <summary>A fact that needs the native emulation: skipped with the reason when the library is missing, never when <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmulationFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the emulation is missing outside CI.</summary>
    public EmulationFactAttribute()
    {
        if (!NativeEmulation.Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "native st emulation unavailable: " + NativeEmulation.UnavailableReason;
        }
    }
}

/// <summary>A theory that needs the native emulation: skipped with the reason when the library is missing, never when <c>CI=true</c>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EmulationTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when the emulation is missing outside CI.</summary>
    public EmulationTheoryAttribute()
    {
        if (!NativeEmulation.Available && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = "native st emulation unavailable: " + NativeEmulation.UnavailableReason;
        }
    }
}

/// <summary>The emulation is process-wide: its tests never run in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EmulationTests
{
    /// <summary>The collection name.</summary>
    public const string Name = "native st emulation";
}
