using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// The SmallFilesCache daemon's inbox boundary, tried as a hostile local user would: only plain regular files with good
/// names are ingested; links, FIFOs, hard links and bad names are set aside unread with a typed reason; what the daemon
/// writes is private to it.
/// </summary>
public sealed class SmallFilesCacheTrustTests
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0xFFF;

    [Fact]
    public async Task The_inbox_ingests_plain_files_and_sets_aside_links_fifos_hard_links_and_bad_names_unread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        string outside = Path.Combine(dir.Path, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret"), "not for the daemon to archive");
        await using CacheSite site = await OpenSiteAsync(root);
        string inbox = Path.Combine(root, "inbox");
        string grp = Path.Combine(inbox, "grp");
        Directory.CreateDirectory(grp);
        DateTime old = DateTime.UtcNow.AddHours(-1);
        void Settled(string name, string text)
        {
            File.WriteAllText(Path.Combine(grp, name), text);
            File.SetLastWriteTimeUtc(Path.Combine(grp, name), old);
        }

        Settled("ok.dat", "good data");
        File.SetUnixFileMode(Path.Combine(grp, "ok.dat"), (UnixFileMode)0x1A4); // 0644 at the source
        File.CreateSymbolicLink(Path.Combine(grp, "link"), Path.Combine(outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(inbox, "linked-dir"), outside);
        Run("mkfifo", Path.Combine(grp, "fifo"));
        Run("ln", Path.Combine(outside, "secret"), Path.Combine(grp, "hard"));
        Settled("a\\..\\..\\..\\..\\..\\escape", "backslashes"); // one name on Linux; read with \\ as / it climbs out of the cache
        Settled("new\nline", "control character");
        Settled("e\u0301t\u00e9", "not NFC");
        Settled(".partial", "still being written by convention");
        File.WriteAllText(Path.Combine(grp, "fresh.dat"), "modified just now");

        Task<IReadOnlyList<InboxEntry>> run = InboxIngest.RunAsync(site, inbox, DateTimeOffset.UtcNow, NullLogger.Instance);
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) == run, "the inbox walk blocked (a FIFO opened?)");
        Dictionary<string, InboxEntry> verdicts = (await run).ToDictionary(e => e.RelativePath, StringComparer.Ordinal);

        Assert.Equal(InboxVerdict.Ingested, verdicts["grp/ok.dat"].Verdict);
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.LinkOrDevice), Of(verdicts["grp/link"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.LinkOrDevice), Of(verdicts["linked-dir"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.LinkOrDevice), Of(verdicts["grp/fifo"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.MultipleLinks), Of(verdicts["grp/hard"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.InvalidMemberName), Of(verdicts["grp/a\\..\\..\\..\\..\\..\\escape"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.ControlCharacters), Of(verdicts["grp/new\nline"]));
        Assert.Equal((InboxVerdict.Rejected, UnsafeOperationKind.InvalidMemberName), Of(verdicts["grp/e\u0301t\u00e9"]));
        Assert.Equal(InboxVerdict.NotYet, verdicts["grp/fresh.dat"].Verdict);
        Assert.DoesNotContain("grp/.partial", verdicts.Keys);

        // One file in the catalogue; the secret behind the links is neither catalogued nor copied, and stays where it was.
        Assert.NotNull(await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/ok.dat")));
        Assert.Null(await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/link")));
        Assert.Null(await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/hard")));
        Assert.Equal("not for the daemon to archive", File.ReadAllText(Path.Combine(outside, "secret")));
        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(root, "cache"), "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("not for the daemon", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir.Path, "escape")));

        // Set aside as they were: the link is still a link, the FIFO still a FIFO; the fresh and the dot files wait in the inbox.
        Assert.NotNull(new FileInfo(Path.Combine(root, "rejected", "grp", "link")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(root, "rejected", "grp", "fifo")));
        Assert.True(File.Exists(Path.Combine(grp, "fresh.dat")));
        Assert.True(File.Exists(Path.Combine(grp, ".partial")));

        // Private to the daemon: the cache copy (0644 at the source) is 0600, the directories made for it 0700, the catalogue 0600.
        string cached = Path.Combine(root, "cache", "dl1", "grp", "ok.dat");
        Assert.Equal("good data", File.ReadAllText(cached));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cached) & PermissionBits);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(cached)!) & PermissionBits);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(root) & PermissionBits);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "catalogue.db")) & PermissionBits);
    }

    [Fact]
    public async Task With_group_access_the_cache_copy_is_group_readable_only_if_the_source_was()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await OpenSiteAsync(root, groupAccess: true);
        string grp = Path.Combine(root, "inbox", "grp");
        Directory.CreateDirectory(grp);
        foreach ((string name, int mode) in new[] { ("open.dat", 0x1B6), ("private.dat", 0x180) }) // 0666, 0600
        {
            File.WriteAllText(Path.Combine(grp, name), name);
            File.SetUnixFileMode(Path.Combine(grp, name), (UnixFileMode)mode);
            File.SetLastWriteTimeUtc(Path.Combine(grp, name), DateTime.UtcNow.AddHours(-1));
        }

        IReadOnlyList<InboxEntry> entries = await InboxIngest.RunAsync(site, Path.Combine(root, "inbox"), DateTimeOffset.UtcNow, NullLogger.Instance);

        Assert.All(entries, e => Assert.Equal(InboxVerdict.Ingested, e.Verdict));
        string cache = Path.Combine(root, "cache", "dl1", "grp");
        Assert.Equal((UnixFileMode)0x1A0, File.GetUnixFileMode(Path.Combine(cache, "open.dat")) & PermissionBits); // 0640: never others
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(Path.Combine(cache, "private.dat")) & PermissionBits); // 0600: never wider than the source
        Assert.Equal((UnixFileMode)0x1E8, File.GetUnixFileMode(cache) & PermissionBits); // 0750
    }

    [Fact]
    public async Task An_operator_may_put_the_cache_area_on_another_disk_through_a_link()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        string disk = Path.Combine(dir.Path, "big-disk");
        Directory.CreateDirectory(Path.Combine(root, "cache"));
        Directory.CreateDirectory(disk);
        Directory.CreateSymbolicLink(Path.Combine(root, "cache", "dl1"), disk);
        await using CacheSite site = await OpenSiteAsync(root);
        string grp = Path.Combine(root, "inbox", "grp");
        Directory.CreateDirectory(grp);
        File.WriteAllText(Path.Combine(grp, "f"), "on the big disk");
        File.SetLastWriteTimeUtc(Path.Combine(grp, "f"), DateTime.UtcNow.AddHours(-1));

        IReadOnlyList<InboxEntry> entries = await InboxIngest.RunAsync(site, Path.Combine(root, "inbox"), DateTimeOffset.UtcNow, NullLogger.Instance);

        Assert.Equal(InboxVerdict.Ingested, Assert.Single(entries).Verdict);
        Assert.Equal("on the big disk", File.ReadAllText(Path.Combine(disk, "grp", "f")));
    }

    private static (InboxVerdict, UnsafeOperationKind?) Of(InboxEntry e) => (e.Verdict, e.Kind);

    private static void Run(string command, params string[] args)
    {
        using Process process = Process.Start(command, args);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    internal static Task<CacheSite> OpenSiteAsync(string root, bool groupAccess = false) =>
        CacheSite.OpenAsync(new SiteOptions
        {
            Root = root,
            TapesPerPool = 1,
            DiskLibraries = [new DiskLibraryOptions { Name = "dl1", Drives = [0] }],
            Policies = new PolicySet { Version = 1, Rules = [new PolicyRule { Name = "default", DiskLibrary = "dl1", TapePool = "pool-dl1" }] },
            InstanceName = "trust-test/sfa",
            InboxSettleTime = TimeSpan.FromMinutes(1),
            GroupAccess = groupAccess,
        }, TimeProvider.System, NullLoggerFactory.Instance);
}
