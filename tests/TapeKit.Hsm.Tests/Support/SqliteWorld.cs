using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>An <see cref="HsmWorld"/> over one SQLite file (catalogue and queue), as the embedded default runs.</summary>
public static class SqliteWorld
{
    public static async ValueTask<HsmWorld> CreateAsync(string path, int seed, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, MaxDeliveries = 50 }, time);
        return await HsmWorld.OverAsync(time, store.Catalog, store.Bus, seed, store.DisposeAsync);
    }
}
