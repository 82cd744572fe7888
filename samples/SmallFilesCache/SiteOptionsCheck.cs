using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Policies;

namespace SmallFilesCache;

/// <summary>
/// The site's configuration checked before anything starts: a bad policy, a missing disk library, an unknown media
/// profile or a limit out of range stops the daemon at start with one sentence, never half-way through a round.
/// </summary>
public static class SiteOptionsCheck
{
    /// <summary>Throws <see cref="ArgumentException"/> with one sentence naming the first problem of <paramref name="site"/>.</summary>
    /// <param name="site">The site's options.</param>
    /// <exception cref="ArgumentException">The configuration cannot run.</exception>
    public static void Validate(SiteOptions site)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (site.DiskLibraries.Count == 0)
        {
            throw new ArgumentException("Site:DiskLibraries is empty: the site needs at least one disk library.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var drives = new Dictionary<int, string>();
        foreach (DiskLibraryOptions dl in site.DiskLibraries)
        {
            if (string.IsNullOrWhiteSpace(dl.Name) || !names.Add(dl.Name))
            {
                throw new ArgumentException($"Site:DiskLibraries: the name \"{dl.Name}\" is empty or given twice.");
            }

            if (dl.CacheCapacityBytes <= 0)
            {
                throw new ArgumentException($"Site:DiskLibraries: {dl.Name} has CacheCapacityBytes {dl.CacheCapacityBytes}; it must be positive.");
            }

            foreach (int drive in dl.Drives)
            {
                if (drive < 0)
                {
                    throw new ArgumentException($"Site:DiskLibraries: {dl.Name} names drive {drive}; drive numbers start at 0.");
                }

                if (!site.ScheduleDrives && !drives.TryAdd(drive, dl.Name))
                {
                    throw new ArgumentException($"Site:DiskLibraries: drive {drive} is given to both {drives[drive]} and {dl.Name}; share drives with ScheduleDrives.");
                }
            }
        }

        try
        {
            _ = MediaProfile.Get(site.Media);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Site:Media: {e.Message}", e);
        }

        try
        {
            _ = new PolicySelector(site.Policies);
        }
        catch (PolicyValidationException e)
        {
            throw new ArgumentException($"Site:Policies: {e.Message}", e);
        }

        if (site.Policies.Rules.FirstOrDefault(r => !names.Contains(r.DiskLibrary)) is { } orphan)
        {
            throw new ArgumentException($"Site:Policies: rule \"{orphan.Name}\" routes to disk library \"{orphan.DiskLibrary}\", which Site:DiskLibraries does not define.");
        }

        if (site.PollInterval <= TimeSpan.Zero || site.InboxSettleTime < TimeSpan.Zero || site.TapesPerPool < 1 || site.RecallListMaxEntries < 1)
        {
            throw new ArgumentException("Site: PollInterval must be positive, InboxSettleTime not negative, TapesPerPool and RecallListMaxEntries at least 1.");
        }

        if (site.MountWait is { } mountWait && (mountWait <= TimeSpan.Zero || mountWait > site.WorkLease / 2))
        {
            throw new ArgumentException($"Site:MountWait {mountWait} must be positive and at most half of WorkLease ({site.WorkLease}): the lists' leases are not renewed while a session waits for a drive.");
        }
    }
}
