using TapeKit.Cli;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Tests.Cli;

/// <summary>The exit codes of the HSM exceptions that joined the <see cref="TapeKit.Hsm.HsmException"/> family stay what they were.</summary>
public sealed class CliErrorsTests
{
    [Fact]
    public void An_invalid_policy_set_is_still_a_usage_error() =>
        Assert.Equal(ExitCodes.Usage, CliErrors.ExitCodeFor(new PolicyValidationException(["rule #1 'r': no disk library."])));

    [Fact]
    public void A_drive_that_cannot_be_given_is_still_a_device_error()
    {
        Assert.Equal(ExitCodes.DeviceOrIo, CliErrors.ExitCodeFor(new TapeMountException("T00001", "No drive is free for T00001.", busy: true)));
        Assert.Equal(ExitCodes.DeviceOrIo, CliErrors.ExitCodeFor(new TapeMountException("T00001", "Mounting T00001 failed.", new IOException("robot"))));
    }

    [Fact]
    public void A_poison_message_is_still_an_internal_error() =>
        Assert.Equal(ExitCodes.InternalError, CliErrors.ExitCodeFor(new PoisonMessageException("unreadable")));
}
