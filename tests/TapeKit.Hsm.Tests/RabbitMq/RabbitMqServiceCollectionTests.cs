using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.RabbitMq;

public sealed class RabbitMqServiceCollectionTests
{
    [Fact]
    public void The_settings_are_bound_from_TapeKit_Hsm_RabbitMq_and_the_callback_comes_last()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TapeKit:Hsm:RabbitMq:Uri"] = "amqp://hsm:secret@broker.example:5673/%2Fsite",
            ["TapeKit:Hsm:RabbitMq:VirtualHost"] = "site-a",
            ["TapeKit:Hsm:RabbitMq:MaxDeliveries"] = "7",
            ["TapeKit:Hsm:RabbitMq:DefaultLease"] = "00:02:00",
            ["TapeKit:Hsm:RabbitMq:PollInterval"] = "00:00:05",
            ["TapeKit:Hsm:RabbitMq:NamePrefix"] = "siteA.",
        }).Build();
        using ServiceProvider sp = new ServiceCollection()
            .AddTapeKitHsmRabbitMq(configuration, o => o.ConnectionName = "migrator-1")
            .BuildServiceProvider();
        RabbitMqBusOptions o = sp.GetRequiredService<IOptions<RabbitMqBusOptions>>().Value;
        Assert.Equal("amqp://hsm:secret@broker.example:5673/%2Fsite", o.Uri);
        Assert.Equal("site-a", o.VirtualHost);
        Assert.Equal(7, o.MaxDeliveries);
        Assert.Equal(TimeSpan.FromMinutes(2), o.DefaultLease);
        Assert.Equal(TimeSpan.FromSeconds(5), o.PollInterval);
        Assert.Equal("siteA.", o.NamePrefix);
        Assert.Equal("migrator-1", o.ConnectionName);
    }

    [Theory]
    [InlineData("http://broker/", "Uri")]
    [InlineData("not a uri", "Uri")]
    public void A_uri_that_is_not_amqp_is_refused_by_name(string uri, string setting)
    {
        ArgumentException e = Assert.Throws<ArgumentException>(() => new RabbitMqBusOptions { Uri = uri }.Validate());
        Assert.Equal(setting, e.ParamName);
    }

    [Fact]
    public void Out_of_range_settings_are_refused_by_name_and_a_password_never_shows()
    {
        Assert.Equal("MaxDeliveries", Assert.Throws<ArgumentException>(() => new RabbitMqBusOptions { MaxDeliveries = 0 }.Validate()).ParamName);
        Assert.Equal("PollInterval", Assert.Throws<ArgumentException>(() => new RabbitMqBusOptions { PollInterval = TimeSpan.Zero }.Validate()).ParamName);
        ArgumentException e = Assert.Throws<ArgumentException>(() => new RabbitMqBusOptions { Uri = "http://u:topsecret@host/" }.Validate());
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broker_that_cannot_be_reached_is_a_transient_bus_error_naming_it_without_the_password()
    {
        var options = new RabbitMqBusOptions { Uri = "amqp://u:topsecret@127.0.0.1:1/" };
        RabbitMqBusException e = await Assert.ThrowsAsync<RabbitMqBusException>(async () => await RabbitMqMessageBus.ConnectAsync(options, TimeProvider.System));
        Assert.True(e.IsTransient);
        Assert.Contains("127.0.0.1:1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_registered_bus_connects_on_first_resolution()
    {
        string prefix = RabbitMqBroker.NewPrefix();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TapeKit:Hsm:RabbitMq:Uri"] = RabbitMqBroker.Uri,
            ["TapeKit:Hsm:RabbitMq:NamePrefix"] = prefix,
        }).Build();
        await using ServiceProvider sp = new ServiceCollection().AddTapeKitHsmRabbitMq(configuration).BuildServiceProvider();
        try
        {
            IMessageBus bus = sp.GetRequiredService<IMessageBus>();
            Assert.Same(sp.GetRequiredService<RabbitMqMessageBus>(), bus);
            await bus.DeclareAsync(HsmTopology.For("d1", ["dl1"]));
            await bus.PublishAsync(HsmTopology.CommandsExchange, "dl1", new Envelope { MessageId = Guid.CreateVersion7(), Type = "test.msg" });
            Assert.Single(await bus.ReceiveAsync(HsmTopology.CommandQueue("dl1"), new ReceiveOptions("m1", 4)));
        }
        finally
        {
            await RabbitMqBroker.DeleteAsync(prefix,
                [HsmTopology.DispatcherEventsQueue, HsmTopology.ReplyQueue("d1"), HsmTopology.CommandQueue("dl1")],
                [HsmTopology.EventsExchange, HsmTopology.RepliesExchange, HsmTopology.CommandsExchange]);
        }
    }

    [SkippableFact]
    public async Task Resolving_the_bus_from_a_thread_whose_context_is_blocked_does_not_deadlock()
    {
        // The in-process front end of the cluster demo resolved the bus from a test's context and hung for good.
        string uri = RabbitMqBroker.Uri; // Here, so that without a broker the test skips on its own thread.
        string prefix = RabbitMqBroker.NewPrefix();
        await using ServiceProvider sp = new ServiceCollection()
            .AddTapeKitHsmRabbitMq(o =>
            {
                o.Uri = uri;
                o.NamePrefix = prefix;
            })
            .BuildServiceProvider();
        Assert.True(BlockedContext.TryRun(sp.GetRequiredService<IMessageBus>, TimeSpan.FromSeconds(30), out IMessageBus? bus), "resolving the bus did not return within 30 s");
        Assert.Same(sp.GetRequiredService<RabbitMqMessageBus>(), bus);
    }
}
