using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Hsm.Tests;

/// <summary>One HSM exception family: a host catches <see cref="HsmException"/> and asks it whether a retry may succeed.</summary>
public sealed class HsmExceptionTests
{
    [Fact]
    public void Policy_mount_and_poison_errors_are_hsm_exceptions()
    {
        HsmException[] family =
        [
            new PolicyValidationException(["rule #1 'r': no disk library."]),
            new TapeMountException("T00001", "No drive is free for T00001.", busy: true),
            new PoisonMessageException("Message 1 has schema version 99."),
        ];

        Assert.All(family, e => Assert.IsAssignableFrom<InvalidOperationException>(e));
    }

    [Fact]
    public void Only_a_busy_pool_is_worth_asking_again()
    {
        Assert.True(new TapeMountException("T00001", "All drives are in use.", busy: true).IsTransient);
        Assert.False(new TapeMountException("T00001", "Mounting T00001 failed.", new IOException("robot")).IsTransient);
        Assert.False(new PolicyValidationException(["bad"]).IsTransient);
        Assert.False(new PoisonMessageException("unreadable").IsTransient);
    }

    [Fact]
    public async Task A_unit_of_work_gives_up_on_poison_at_once()
    {
        var catalog = new InMemoryCatalog(TimeProvider.System);
        int calls = 0;
        await Assert.ThrowsAsync<PoisonMessageException>(async () => await catalog.RunAsync<int>(_ =>
        {
            calls++;
            throw new PoisonMessageException("unreadable");
        }));
        Assert.Equal(1, calls);
    }
}
