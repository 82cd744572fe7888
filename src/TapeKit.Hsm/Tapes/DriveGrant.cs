using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// A drive leased to one session by the drive scheduler: the session may mount <see cref="Vsn"/> on <see cref="Drive"/>
/// (a robot mount unless the cartridge is there already), renews the lease while it runs and releases it when done.
/// </summary>
/// <param name="RequestId">The request the drive was granted to; it identifies the lease.</param>
/// <param name="Library">The tape library.</param>
/// <param name="Drive">The drive number.</param>
/// <param name="Vsn">The cartridge the drive is granted for, or <see langword="null"/> for an unload.</param>
/// <param name="Mode">Read or write.</param>
/// <param name="Holder">The lease holder.</param>
/// <param name="LeaseUntil">The end of the lease as granted or last renewed.</param>
public sealed record DriveGrant(Guid RequestId, string Library, int Drive, string? Vsn, MountMode Mode, string Holder, DateTimeOffset LeaseUntil);
