namespace EdgeNode.Sparkplug;

/// <summary>
/// The Sparkplug verbs (Sparkplug 3.0 §4.1.2 "message_type Element"). Members are spelled as on the wire so that
/// <see cref="object.ToString"/> gives the topic token.
/// </summary>
#pragma warning disable CA1707 // Not applicable: no underscores. Upper-case names mirror the specification's tokens.
public enum SparkplugMessageType
{
    /// <summary>Edge Node birth certificate.</summary>
    NBIRTH = 1,

    /// <summary>Edge Node death certificate (the MQTT Will).</summary>
    NDEATH,

    /// <summary>Device birth certificate.</summary>
    DBIRTH,

    /// <summary>Device death certificate.</summary>
    DDEATH,

    /// <summary>Edge Node data.</summary>
    NDATA,

    /// <summary>Device data.</summary>
    DDATA,

    /// <summary>Command to an Edge Node.</summary>
    NCMD,

    /// <summary>Command to a device.</summary>
    DCMD,

    /// <summary>Host application state (<c>spBv1.0/STATE/host_id</c>).</summary>
    STATE,
}
#pragma warning restore CA1707

/// <summary>Facts about <see cref="SparkplugMessageType"/>.</summary>
public static class SparkplugMessageTypes
{
    /// <summary>DBIRTH, DDEATH, DDATA, DCMD: topics with a device_id level [tck-id-topic-structure-namespace-device-id-associated-message-types].</summary>
    public static bool IsDeviceMessage(SparkplugMessageType type) =>
        type is SparkplugMessageType.DBIRTH or SparkplugMessageType.DDEATH or SparkplugMessageType.DDATA or SparkplugMessageType.DCMD;

    /// <summary>NBIRTH, NDEATH, NDATA, NCMD.</summary>
    public static bool IsNodeMessage(SparkplugMessageType type) =>
        type is SparkplugMessageType.NBIRTH or SparkplugMessageType.NDEATH or SparkplugMessageType.NDATA or SparkplugMessageType.NCMD;

    /// <summary>NCMD and DCMD: messages a host sends to the Edge Node.</summary>
    public static bool IsCommand(SparkplugMessageType type) => type is SparkplugMessageType.NCMD or SparkplugMessageType.DCMD;

    /// <summary>The topic token ("NBIRTH" …).</summary>
    public static string ToToken(SparkplugMessageType type) => type switch
    {
        SparkplugMessageType.NBIRTH => "NBIRTH",
        SparkplugMessageType.NDEATH => "NDEATH",
        SparkplugMessageType.DBIRTH => "DBIRTH",
        SparkplugMessageType.DDEATH => "DDEATH",
        SparkplugMessageType.NDATA => "NDATA",
        SparkplugMessageType.DDATA => "DDATA",
        SparkplugMessageType.NCMD => "NCMD",
        SparkplugMessageType.DCMD => "DCMD",
        SparkplugMessageType.STATE => "STATE",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a Sparkplug message type"),
    };

    /// <summary>Parses a topic token (exact, case-sensitive: topics are case-sensitive).</summary>
    public static bool TryParse(ReadOnlySpan<char> token, out SparkplugMessageType type)
    {
        type = token switch
        {
            "NBIRTH" => SparkplugMessageType.NBIRTH,
            "NDEATH" => SparkplugMessageType.NDEATH,
            "DBIRTH" => SparkplugMessageType.DBIRTH,
            "DDEATH" => SparkplugMessageType.DDEATH,
            "NDATA" => SparkplugMessageType.NDATA,
            "DDATA" => SparkplugMessageType.DDATA,
            "NCMD" => SparkplugMessageType.NCMD,
            "DCMD" => SparkplugMessageType.DCMD,
            "STATE" => SparkplugMessageType.STATE,
            _ => 0,
        };
        return type != 0;
    }
}
