namespace TapeKit.Hsm.Tests.Support;

/// <summary>One call that reached a drive handle, with the thread that made it.</summary>
/// <param name="Device">The drive's device name.</param>
/// <param name="Operation">The <c>ITapeDrive</c> member called.</param>
/// <param name="ThreadId">The calling thread's managed id.</param>
/// <param name="ThreadName">The calling thread's name (a drive worker's is <c>tape</c> and the device name).</param>
/// <param name="ThreadPool">Whether the calling thread belongs to the thread pool.</param>
/// <param name="Length">The block length of a block write or read, else 0.</param>
public sealed record DriveCall(string Device, string Operation, int ThreadId, string? ThreadName, bool ThreadPool, int Length);
