using System.Runtime.InteropServices;

// Kernel structs keep their uapi names (style.md §3), which are all lower case.
#pragma warning disable CS8981

namespace EdgeNode.Gpio;

/// <summary>
/// The GPIO character device uAPI v2 (include/uapi/linux/gpio.h, Linux 5.10+). Every struct is laid out explicitly
/// because the header uses <c>__aligned_u64</c>: the layout is the same on 32- and 64-bit kernels, and explicit
/// offsets keep it so whatever the runtime's alignment rules on armhf. Sizes and offsets are checked by unit tests.
/// </summary>
internal static partial class Interop
{
    /// <summary>GPIO_MAX_NAME_SIZE: chip names/labels, line names and consumers, NUL-terminated.</summary>
    internal const int GPIO_MAX_NAME_SIZE = 32;

    /// <summary>GPIO_V2_LINES_MAX: lines per request; bitmaps are u64.</summary>
    internal const int GPIO_V2_LINES_MAX = 64;

    /// <summary>GPIO_V2_LINE_NUM_ATTRS_MAX: configuration attributes per request.</summary>
    internal const int GPIO_V2_LINE_NUM_ATTRS_MAX = 10;

    // ioctl numbers, type 0xB4 (_IOR = _IOC_READ, _IOWR = _IOC_READ|_IOC_WRITE):
    /// <summary>_IOR(0xB4, 0x01, struct gpiochip_info /* 68 */) on a chip fd.</summary>
    internal const uint GPIO_GET_CHIPINFO_IOCTL = 0x8044B401;

    /// <summary>_IOWR(0xB4, 0x0C, __u32) on a chip fd.</summary>
    internal const uint GPIO_GET_LINEINFO_UNWATCH_IOCTL = 0xC004B40C;

    /// <summary>_IOWR(0xB4, 0x05, struct gpio_v2_line_info /* 256 */) on a chip fd.</summary>
    internal const uint GPIO_V2_GET_LINEINFO_IOCTL = 0xC100B405;

    /// <summary>_IOWR(0xB4, 0x06, struct gpio_v2_line_info /* 256 */) on a chip fd.</summary>
    internal const uint GPIO_V2_GET_LINEINFO_WATCH_IOCTL = 0xC100B406;

    /// <summary>_IOWR(0xB4, 0x07, struct gpio_v2_line_request /* 592 */) on a chip fd; the kernel writes the line fd at offset 588.</summary>
    internal const uint GPIO_V2_GET_LINE_IOCTL = 0xC250B407;

    /// <summary>_IOWR(0xB4, 0x0D, struct gpio_v2_line_config /* 272 */) on a LINE fd.</summary>
    internal const uint GPIO_V2_LINE_SET_CONFIG_IOCTL = 0xC110B40D;

    /// <summary>_IOWR(0xB4, 0x0E, struct gpio_v2_line_values /* 16 */) on a LINE fd.</summary>
    internal const uint GPIO_V2_LINE_GET_VALUES_IOCTL = 0xC010B40E;

    /// <summary>_IOWR(0xB4, 0x0F, struct gpio_v2_line_values /* 16 */) on a LINE fd.</summary>
    internal const uint GPIO_V2_LINE_SET_VALUES_IOCTL = 0xC010B40F;

    /// <summary>enum gpio_v2_line_flag (the _BITULL values).</summary>
    internal static class LineFlag
    {
        internal const ulong USED = 1UL << 0;
        internal const ulong ACTIVE_LOW = 1UL << 1;
        internal const ulong INPUT = 1UL << 2;
        internal const ulong OUTPUT = 1UL << 3;
        internal const ulong EDGE_RISING = 1UL << 4;
        internal const ulong EDGE_FALLING = 1UL << 5;
        internal const ulong OPEN_DRAIN = 1UL << 6;
        internal const ulong OPEN_SOURCE = 1UL << 7;
        internal const ulong BIAS_PULL_UP = 1UL << 8;
        internal const ulong BIAS_PULL_DOWN = 1UL << 9;
        internal const ulong BIAS_DISABLED = 1UL << 10;

        /// <summary>Linux 5.11+: stamp edge events with CLOCK_REALTIME instead of CLOCK_MONOTONIC.</summary>
        internal const ulong EVENT_CLOCK_REALTIME = 1UL << 11;

        /// <summary>Linux 5.19+: hardware timestamp engine (not used by EdgeNode; decoded for line info only).</summary>
        internal const ulong EVENT_CLOCK_HTE = 1UL << 12;

        internal const ulong DIRECTION = INPUT | OUTPUT;
        internal const ulong EDGES = EDGE_RISING | EDGE_FALLING;
        internal const ulong DRIVE = OPEN_DRAIN | OPEN_SOURCE;
        internal const ulong BIAS = BIAS_PULL_UP | BIAS_PULL_DOWN | BIAS_DISABLED;
    }

    /// <summary>enum gpio_v2_line_attr_id.</summary>
    internal static class LineAttrId
    {
        internal const uint FLAGS = 1;
        internal const uint OUTPUT_VALUES = 2;
        internal const uint DEBOUNCE = 3;
    }

    /// <summary>enum gpio_v2_line_event_id.</summary>
    internal static class LineEventId
    {
        internal const uint RISING_EDGE = 1;
        internal const uint FALLING_EDGE = 2;
    }

    /// <summary><c>struct gpiochip_info</c> {char name[32]; char label[32]; __u32 lines} = 68 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 68)]
    internal unsafe struct gpiochip_info
    {
        [FieldOffset(0)] public fixed byte name[GPIO_MAX_NAME_SIZE];
        [FieldOffset(32)] public fixed byte label[GPIO_MAX_NAME_SIZE];
        [FieldOffset(64)] public uint lines;
    }

    /// <summary>
    /// <c>struct gpio_v2_line_attribute</c> {__u32 id; __u32 padding; union {__aligned_u64 flags; __aligned_u64
    /// values; __u32 debounce_period_us}} = 16 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct gpio_v2_line_attribute
    {
        [FieldOffset(0)] public uint id;
        [FieldOffset(4)] public uint padding;
        [FieldOffset(8)] public ulong flags;
        [FieldOffset(8)] public ulong values;
        [FieldOffset(8)] public uint debounce_period_us;
    }

    /// <summary><c>struct gpio_v2_line_config_attribute</c> {struct gpio_v2_line_attribute attr; __aligned_u64 mask} = 24 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct gpio_v2_line_config_attribute
    {
        [FieldOffset(0)] public gpio_v2_line_attribute attr;
        [FieldOffset(16)] public ulong mask;
    }

    /// <summary>
    /// <c>struct gpio_v2_line_config</c> {__aligned_u64 flags; __u32 num_attrs; __u32 padding[5];
    /// struct gpio_v2_line_config_attribute attrs[10]} = 272 bytes. <c>fixed</c> cannot hold structs, so the ten
    /// attributes are ten fields; <see cref="Attr"/> indexes them.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 272)]
    internal unsafe struct gpio_v2_line_config
    {
        internal const int AttrsOffset = 32;

        [FieldOffset(0)] public ulong flags;
        [FieldOffset(8)] public uint num_attrs;
        [FieldOffset(12)] public fixed uint padding[5];
        [FieldOffset(AttrsOffset)] public gpio_v2_line_config_attribute attrs0;

        /// <summary>attrs[<paramref name="index"/>].</summary>
        [System.Diagnostics.CodeAnalysis.UnscopedRef]
        public ref gpio_v2_line_config_attribute Attr(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GPIO_V2_LINE_NUM_ATTRS_MAX);
            return ref System.Runtime.CompilerServices.Unsafe.Add(ref attrs0, index);
        }
    }

    /// <summary>
    /// <c>struct gpio_v2_line_request</c> {__u32 offsets[64]; char consumer[32]; struct gpio_v2_line_config config;
    /// __u32 num_lines; __u32 event_buffer_size; __u32 padding[5]; __s32 fd} = 592 bytes, fd at 588.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 592)]
    internal unsafe struct gpio_v2_line_request
    {
        [FieldOffset(0)] public fixed uint offsets[GPIO_V2_LINES_MAX];
        [FieldOffset(256)] public fixed byte consumer[GPIO_MAX_NAME_SIZE];
        [FieldOffset(288)] public gpio_v2_line_config config;
        [FieldOffset(560)] public uint num_lines;
        [FieldOffset(564)] public uint event_buffer_size;
        [FieldOffset(568)] public fixed uint padding[5];
        [FieldOffset(588)] public int fd;
    }

    /// <summary>
    /// <c>struct gpio_v2_line_info</c> {char name[32]; char consumer[32]; __u32 offset; __u32 num_attrs;
    /// __aligned_u64 flags; struct gpio_v2_line_attribute attrs[10]; __u32 padding[4]} = 256 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal unsafe struct gpio_v2_line_info
    {
        internal const int AttrsOffset = 80;

        [FieldOffset(0)] public fixed byte name[GPIO_MAX_NAME_SIZE];
        [FieldOffset(32)] public fixed byte consumer[GPIO_MAX_NAME_SIZE];
        [FieldOffset(64)] public uint offset;
        [FieldOffset(68)] public uint num_attrs;
        [FieldOffset(72)] public ulong flags;
        [FieldOffset(AttrsOffset)] public gpio_v2_line_attribute attrs0;
        [FieldOffset(240)] public fixed uint padding[4];

        /// <summary>attrs[<paramref name="index"/>].</summary>
        [System.Diagnostics.CodeAnalysis.UnscopedRef]
        public ref gpio_v2_line_attribute Attr(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, GPIO_V2_LINE_NUM_ATTRS_MAX);
            return ref System.Runtime.CompilerServices.Unsafe.Add(ref attrs0, index);
        }
    }

    /// <summary><c>struct gpio_v2_line_values</c> {__aligned_u64 bits; __aligned_u64 mask} = 16 bytes; bit i = offsets[i].</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct gpio_v2_line_values
    {
        [FieldOffset(0)] public ulong bits;
        [FieldOffset(8)] public ulong mask;
    }

    /// <summary>
    /// <c>struct gpio_v2_line_event</c> {__aligned_u64 timestamp_ns; __u32 id; __u32 offset; __u32 seqno;
    /// __u32 line_seqno; __u32 padding[6]} = 48 bytes, read() from the line fd.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    internal unsafe struct gpio_v2_line_event
    {
        [FieldOffset(0)] public ulong timestamp_ns;
        [FieldOffset(8)] public uint id;
        [FieldOffset(12)] public uint offset;
        [FieldOffset(16)] public uint seqno;
        [FieldOffset(20)] public uint line_seqno;
        [FieldOffset(24)] public fixed uint padding[6];
    }

    /// <summary>The bytes of <paramref name="value"/> (what an ioctl argument pointer points at).</summary>
    internal static Span<byte> AsBytes<T>(ref T value) where T : unmanaged =>
        MemoryMarshal.AsBytes(new Span<T>(ref value));

    /// <summary>Reads a NUL-terminated kernel string from a fixed char[] field.</summary>
    internal static unsafe string ReadString(byte* chars, int capacity)
    {
        var span = new ReadOnlySpan<byte>(chars, capacity);
        var end = span.IndexOf((byte)0);
        return System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    /// <summary>Writes <paramref name="value"/> NUL-terminated into a fixed char[] field, truncating to capacity - 1 bytes.</summary>
    internal static unsafe void WriteString(byte* chars, int capacity, string value)
    {
        var span = new Span<byte>(chars, capacity);
        span.Clear();
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        bytes.AsSpan(0, Math.Min(bytes.Length, capacity - 1)).CopyTo(span);
    }
}
