using System.Text.Json.Serialization;

namespace TapeKit.Hsm.Messaging;

/// <summary>Source-generated JSON of message bodies: camelCase, enums as strings, unknown properties ignored (docs/hsm/overview.md#messages).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CacheWrittenEvent))]
[JsonSerializable(typeof(NamespaceDeletedEvent))]
[JsonSerializable(typeof(FileArchivedEvent))]
[JsonSerializable(typeof(CacheStagedEvent))]
[JsonSerializable(typeof(CachePurgedEvent))]
[JsonSerializable(typeof(StageCommand))]
[JsonSerializable(typeof(StagedReply))]
[JsonSerializable(typeof(PurgeCommand))]
[JsonSerializable(typeof(PurgedReply))]
[JsonSerializable(typeof(ArchiveCommand))]
[JsonSerializable(typeof(ConfirmationReply))]
[JsonSerializable(typeof(ArchivedReply))]
[JsonSerializable(typeof(BusyReply))]
[JsonSerializable(typeof(FailedReply))]
[JsonSerializable(typeof(StatusReportReply))]
[JsonSerializable(typeof(Envelope))]
internal sealed partial class HsmJsonContext : JsonSerializerContext;
