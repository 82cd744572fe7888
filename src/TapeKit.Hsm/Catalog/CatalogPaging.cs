using System.Runtime.CompilerServices;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// Large reads as streams of pages: keyset paging by file id, each page read in its own short transaction, so that a
/// reader of millions of rows holds neither the writer nor more than one page in memory.
/// </summary>
public static class CatalogPaging
{
    /// <summary>The default page: large enough to amortise a transaction, small enough to stay in a few megabytes.</summary>
    public const int DefaultPageSize = 2000;

    /// <summary>Every file matching <paramref name="query"/> (its <see cref="FileQuery.AfterFileId"/> is where it starts), ascending by id.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="query">The query; its <see cref="FileQuery.Limit"/> is ignored (pages have <paramref name="pageSize"/>).</param>
    /// <param name="pageSize">Rows per page.</param>
    /// <param name="ct">Cancels between pages.</param>
    public static async IAsyncEnumerable<FileRecord> StreamFilesAsync(
        this ICatalog catalog, FileQuery query, int pageSize = DefaultPageSize, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        long after = query.AfterFileId;
        while (true)
        {
            FileQuery page = query with { AfterFileId = after, Limit = pageSize };
            IReadOnlyList<FileRecord> rows = await catalog.ReadAsync(txn => txn.QueryFilesAsync(page), ct);
            foreach (FileRecord file in rows)
            {
                yield return file;
            }

            if (rows.Count < pageSize)
            {
                yield break;
            }

            after = rows[^1].FileId;
        }
    }
}
