namespace EdgeNode.Sparkplug;

/// <summary>Well-known metric names and property keys of Sparkplug 3.0 and of common host applications.</summary>
public static class SparkplugNames
{
    /// <summary>The topic namespace of Sparkplug B: <c>spBv1.0</c> [tck-id-topic-structure-namespace-a].</summary>
    public const string Namespace = "spBv1.0";

    /// <summary>Birth/death sequence metric, Int64, in NBIRTH and NDEATH only [tck-id-payloads-nbirth-bdseq].</summary>
    public const string BdSeq = "bdSeq";

    /// <summary>Rebirth request metric: Boolean false in NBIRTH, no alias; true in an NCMD asks for a rebirth.</summary>
    public const string NodeControlRebirth = "Node Control/Rebirth";

    /// <summary>Optional reboot request metric.</summary>
    public const string NodeControlReboot = "Node Control/Reboot";

    /// <summary>Optional "move to the next MQTT server" request metric.</summary>
    public const string NodeControlNextServer = "Node Control/Next Server";

    /// <summary>Optional scan rate metric (Int64 ms).</summary>
    public const string NodeControlScanRate = "Node Control/Scan Rate";

    /// <summary>Optional device rebirth request metric.</summary>
    public const string DeviceControlRebirth = "Device Control/Rebirth";

    /// <summary>Property key: engineering unit (String).</summary>
    public const string EngUnit = "engUnit";

    /// <summary>Property key: low end of the engineering range (Double or the metric's type).</summary>
    public const string EngLow = "engLow";

    /// <summary>Property key: high end of the engineering range (Double or the metric's type).</summary>
    public const string EngHigh = "engHigh";

    /// <summary>Property key: human description (String).</summary>
    public const string Description = "description";

    /// <summary>Property key: quality code, Int32 in <c>int_value</c>: 0 BAD, 192 GOOD, 500 STALE [tck-id-payloads-propertyset-quality-value-type].</summary>
    public const string Quality = "Quality";

    /// <summary>Quality code BAD.</summary>
    public const int QualityBad = 0;

    /// <summary>Quality code GOOD.</summary>
    public const int QualityGood = 192;

    /// <summary>Quality code STALE.</summary>
    public const int QualityStale = 500;
}
