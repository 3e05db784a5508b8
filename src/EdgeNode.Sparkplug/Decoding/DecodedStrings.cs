using System.Buffers.Binary;
using System.Text;

namespace EdgeNode.Sparkplug;

/// <summary>
/// Shares the strings a decoder meets again and again: metric names (every BIRTH, and every DATA sent by name) and
/// property texts (units, descriptions). A hit costs a hash and a byte comparison instead of a UTF-8 transcode and an
/// allocation, and a decoded BIRTH keeps no duplicate copies alive. Bounded: a fixed table of <see cref="Slots"/>
/// entries of at most <see cref="MaxBytes"/> bytes each, a newer string replacing an older one in its slot, so hostile
/// input cannot grow it (and a per-process random seed keeps it from aiming at one slot).
/// Entries are immutable and published by one reference write: safe from any number of threads.
/// </summary>
internal static class DecodedStrings
{
    /// <summary>Longest string kept, in UTF-8 bytes (longer ones are decoded each time).</summary>
    internal const int MaxBytes = 64;

    /// <summary>Table size (a power of two): room for the names and texts of a few thousand metrics.</summary>
    internal const int Slots = 8192;

    private static readonly Entry?[] s_table = new Entry?[Slots];

    internal static string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return "";
        }

        if (utf8.Length > MaxBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        ref var slot = ref s_table[Hash(utf8) & (Slots - 1)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && utf8.SequenceEqual(entry.Utf8))
        {
            return entry.Value;
        }

        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(utf8.ToArray(), value));
        return value;
    }

    private static readonly ulong s_seed = (ulong)Random.Shared.NextInt64() | 1;

    /// <summary>
    /// A hash from the length and three 8-byte windows (start, middle, end), not every byte: names of one node differ in
    /// those places (a number at the end, a level at the start). Two names that share all three windows just take turns
    /// in one slot (decoded each time, never wrong). Seeded per process.
    /// </summary>
    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        ulong h;
        if (utf8.Length >= 8)
        {
            h = BinaryPrimitives.ReadUInt64LittleEndian(utf8);
            h = (h * 0x9E3779B97F4A7C15UL) ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[((utf8.Length - 8) / 2)..]);
            h = (h * 0x9E3779B97F4A7C15UL) ^ BinaryPrimitives.ReadUInt64LittleEndian(utf8[^8..]);
        }
        else
        {
            h = 0;
            foreach (var b in utf8)
            {
                h = (h << 8) | b;
            }
        }

        // Fold high bits down before and after the multiply (a multiply only carries differences upward).
        h ^= (ulong)utf8.Length ^ s_seed;
        h ^= h >> 32;
        h *= 0xD6E8FEB86659FD93UL;
        h ^= h >> 29;
        return (int)h;
    }

    private sealed class Entry(byte[] utf8, string value)
    {
        internal readonly byte[] Utf8 = utf8;
        internal readonly string Value = value;
    }
}
