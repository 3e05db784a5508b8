using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace EdgeNode.Sparkplug;

/// <summary>
/// An ordered set of named property values (<c>Payload.PropertySet</c>, Sparkplug 3.0 §6.4.8): keys and values travel
/// as two parallel arrays [tck-id-payloads-propertyset-keys-array-size]. Used for metric properties such as
/// <c>engUnit</c>, <c>engLow</c>, <c>engHigh</c>, <c>description</c> and <c>Quality</c> (see <see cref="SparkplugNames"/>),
/// and nested inside other property values. Build it once per metric and reuse it: encoding reads it without allocating.
/// </summary>
public sealed class SparkplugPropertySet : IReadOnlyList<KeyValuePair<string, SparkplugValue>>
{
    // A plain array and count rather than a List: decoding a BIRTH builds one set per metric.
    private KeyValuePair<string, SparkplugValue>[] _items;
    private int _count;

    /// <summary>An empty set.</summary>
    public SparkplugPropertySet()
        : this(4)
    {
    }

    /// <summary>An empty set with room for <paramref name="capacity"/> properties.</summary>
    public SparkplugPropertySet(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _items = capacity == 0 ? [] : new KeyValuePair<string, SparkplugValue>[capacity];
    }

    /// <inheritdoc />
    public int Count => _count;

    /// <inheritdoc />
    public KeyValuePair<string, SparkplugValue> this[int index] =>
        (uint)index < (uint)_count ? _items[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The value of <paramref name="key"/> (ordinal); throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public SparkplugValue this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No property '{key}'.");

    /// <summary>Appends a property; a key that is already present is an error (use <see cref="Set"/> to replace).</summary>
    public void Add(string key, SparkplugValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IndexOf(key) >= 0)
        {
            throw new ArgumentException($"Property '{key}' is already in the set.", nameof(key));
        }

        Append(new(key, value));
    }

    /// <summary>Replaces the value of <paramref name="key"/>, or appends it.</summary>
    public void Set(string key, SparkplugValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        var index = IndexOf(key);
        if (index >= 0)
        {
            _items[index] = new(key, value);
        }
        else
        {
            Append(new(key, value));
        }
    }

    /// <summary>Removes <paramref name="key"/>; false when it was not there.</summary>
    public bool Remove(string key)
    {
        var index = IndexOf(key);
        if (index < 0)
        {
            return false;
        }

        Array.Copy(_items, index + 1, _items, index, _count - index - 1);
        _items[--_count] = default;
        return true;
    }

    /// <summary>Whether <paramref name="key"/> is present (ordinal).</summary>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>The value of <paramref name="key"/> (ordinal comparison).</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out SparkplugValue value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _items[index].Value : default;
        return index >= 0;
    }

    /// <summary>Appends without the duplicate check: a decoded set keeps what the wire said.</summary>
    internal void AddDecoded(string key, SparkplugValue value) => Append(new(key, value));

    /// <summary>Decoder: sets the key of the <paramref name="index"/>th entry (keys and values arrive as parallel arrays).</summary>
    internal void SetDecodedKey(int index, string key)
    {
        if (index < _count)
        {
            _items[index] = new(key, _items[index].Value);
        }
        else
        {
            Append(new(key, default));
        }
    }

    /// <summary>Decoder: sets the value of the <paramref name="index"/>th entry.</summary>
    internal void SetDecodedValue(int index, SparkplugValue value)
    {
        if (index < _count)
        {
            _items[index] = new(_items[index].Key, value);
        }
        else
        {
            Append(new(null!, value));
        }
    }

    /// <summary>Enumerates the properties in order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, SparkplugValue>> IEnumerable<KeyValuePair<string, SparkplugValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The properties as <c>{key=Type(value), …}</c>.</summary>
    public override string ToString() => SparkplugValueFormatter.Format(this);

    private void Append(KeyValuePair<string, SparkplugValue> item)
    {
        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(4, _count * 2));
        }

        _items[_count++] = item;
    }

    private int IndexOf(string key)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Enumerator over a <see cref="SparkplugPropertySet"/>.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, SparkplugValue>>
    {
        private readonly SparkplugPropertySet _set;
        private int _index;

        internal Enumerator(SparkplugPropertySet set)
        {
            _set = set;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<string, SparkplugValue> Current => _set._items[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _set._count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}

/// <summary>A list of property sets (<c>Payload.PropertySetList</c>, Sparkplug 3.0 §6.4.9).</summary>
public sealed class SparkplugPropertySetList : IReadOnlyList<SparkplugPropertySet>
{
    private readonly List<SparkplugPropertySet> _sets = [];

    /// <inheritdoc />
    public int Count => _sets.Count;

    /// <inheritdoc />
    public SparkplugPropertySet this[int index] => _sets[index];

    /// <summary>Appends a property set.</summary>
    public void Add(SparkplugPropertySet propertySet) => _sets.Add(propertySet ?? throw new ArgumentNullException(nameof(propertySet)));

    /// <inheritdoc />
    public List<SparkplugPropertySet>.Enumerator GetEnumerator() => _sets.GetEnumerator();

    IEnumerator<SparkplugPropertySet> IEnumerable<SparkplugPropertySet>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => SparkplugValueFormatter.Format(this);
}
