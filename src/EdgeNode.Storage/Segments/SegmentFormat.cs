namespace EdgeNode.Storage.Segments;

/// <summary>
/// The segment blob: many changes packed in one row so the per-row cost of SQLite (record header, cell pointer,
/// rowid, B-tree slack) is paid once per few thousand changes instead of once per change.
/// <code>
/// segment := version:u8 change* crc32c:u32le          (crc over everything before it)
/// change  := metricId:varint tag:u8 [tsDelta:zigzag-varint] payload
/// tag     := kind (bits 0-3) | SameTimestamp (bit 4); bits 5-7 are zero
/// </code>
/// Timestamps are delta-coded against the previous change of the same segment (the first against 0); a change polled
/// in the same scan as the previous one usually shares its timestamp and then carries no delta at all. Doubles that
/// are exactly a float or an integer are stored in 4 bytes or as a varint and come back bit-identical.
/// </summary>
internal static class SegmentFormat
{
    public const byte Version1 = 1;

    public const int CrcLength = 4;

    public const byte SameTimestamp = 0x10;

    public const byte KindMask = 0x0F;

    public const byte ReservedMask = 0xE0;

    // Wire kinds (not StoredValueKind: doubles have three encodings, booleans carry their value in the tag).
    public const byte Null = 0;
    public const byte False = 1;
    public const byte True = 2;
    public const byte Int64 = 3;
    public const byte UInt64 = 4;
    public const byte Float = 5;
    public const byte Double = 6;
    public const byte DoubleAsFloat = 7;
    public const byte DoubleAsInt = 8;
    public const byte String = 9;
    public const byte Bytes = 10;
}
