namespace EdgeNode.Sparkplug;

/// <summary>Metric metadata (<c>Payload.MetaData</c>, Sparkplug 3.0 §6.4.7); every field is optional.</summary>
public sealed class SparkplugMetaData
{
    /// <summary>Whether the Bytes/File value is one part of a multi-part transfer.</summary>
    public bool? IsMultiPart { get; set; }

    /// <summary>Content (media) type, e.g. <c>application/json</c>.</summary>
    public string? ContentType { get; set; }

    /// <summary>Size of the file, string or multi-part whole.</summary>
    public ulong? Size { get; set; }

    /// <summary>Sequence number of this part of a multi-part transfer.</summary>
    public ulong? Seq { get; set; }

    /// <summary>File name of a File value.</summary>
    public string? FileName { get; set; }

    /// <summary>File type, e.g. <c>xml</c>, <c>json</c>.</summary>
    public string? FileType { get; set; }

    /// <summary>MD5 of the data.</summary>
    public string? Md5 { get; set; }

    /// <summary>Free-form description.</summary>
    public string? Description { get; set; }
}
