using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

/// <summary>The catalogue names every file of a site: its database, journal and backups are not readable by other users.</summary>
public sealed class SqliteHsmStorePermissionTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_new_catalogue_its_wal_and_its_backup_are_created_without_access_for_others(bool group)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        UnixFileMode mode = group ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead : UnixFileMode.UserRead | UnixFileMode.UserWrite;
        string path = dir.File("catalogue.db");
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, FileMode = mode }, Time))
        {
            Assert.Equal(mode, File.GetUnixFileMode(path) & (UnixFileMode)0xFFF);
            Assert.Equal(mode, File.GetUnixFileMode(path + "-wal") & (UnixFileMode)0xFFF);
            await store.BackupAsync(dir.File("backup.db"));
        }

        Assert.Equal(mode, File.GetUnixFileMode(dir.File("backup.db")) & (UnixFileMode)0xFFF);
    }
}
