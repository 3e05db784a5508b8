using EdgeNode.Testing;

namespace EdgeNode.EndToEnd.Tests.Infrastructure;

/// <summary>Shared checks of Sparkplug structure that several tests make.</summary>
internal static class SparkplugFacts
{
    public const int DtInt16 = 2;
    public const int DtInt32 = 3;
    public const int DtInt64 = 4;
    public const int DtUInt16 = 6;
    public const int DtUInt32 = 7;
    public const int DtUInt64 = 8;
    public const int DtFloat = 9;
    public const int DtDouble = 10;
    public const int DtBoolean = 11;
    public const int DtString = 12;
    public const int DtTemplate = 19;

    public const string Rebirth = "Node Control/Rebirth";

    /// <summary>The bdSeq metric of an NBIRTH/NDEATH: Int64 in long_value.</summary>
    public static long BdSeq(SparkplugMessage message)
    {
        var metric = message.Metric("bdSeq") ?? throw new ObservationException($"{message} has no bdSeq metric");
        if (metric.Datatype != DtInt64)
        {
            throw new ObservationException($"{message}: bdSeq datatype {metric.Datatype} ({metric.DatatypeName}), expected Int64 (4)");
        }

        return metric.AsLong();
    }

    /// <summary>The seq values of the edge node's messages that carry one (everything but NDEATH), in arrival order.</summary>
    public static IReadOnlyList<SparkplugMessage> SequencedMessages(IEnumerable<SparkplugMessage> messages, string groupId, string edgeNodeId) =>
        messages.Where(m => m.GroupId == groupId && m.EdgeNodeId == edgeNodeId &&
                            m.MessageType is "NBIRTH" or "DBIRTH" or "NDATA" or "DDATA" or "DDEATH").ToList();

    /// <summary>Checks seq: 0 on every NBIRTH, +1 (mod 256) on every following message; returns the first break or null.</summary>
    public static string? FirstSeqBreak(IReadOnlyList<SparkplugMessage> sequenced)
    {
        int? previous = null;
        foreach (var m in sequenced)
        {
            if (m.Payload?.Seq is not { } seq)
            {
                return $"{m} has no seq";
            }

            if (m.MessageType == "NBIRTH")
            {
                if (seq != 0)
                {
                    return $"{m}: NBIRTH seq {seq}, expected 0";
                }
            }
            else if (previous is { } p && (int)seq != (p + 1) % 256)
            {
                return $"{m}: seq {seq} after {p}, expected {(p + 1) % 256}";
            }

            previous = (int)seq;
        }

        return null;
    }
}
