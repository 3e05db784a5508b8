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
    private readonly List<KeyValuePair<string, SparkplugValue>> _items;

    /// <summary>An empty set.</summary>
    public SparkplugPropertySet()
    {
        _items = [];
    }

    /// <summary>An empty set with room for <paramref name="capacity"/> properties.</summary>
    public SparkplugPropertySet(int capacity)
    {
        _items = new(capacity);
    }

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public KeyValuePair<string, SparkplugValue> this[int index] => _items[index];

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

        _items.Add(new(key, value));
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
            _items.Add(new(key, value));
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

        _items.RemoveAt(index);
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
    internal void AddDecoded(string key, SparkplugValue value) => _items.Add(new(key, value));

    /// <inheritdoc />
    public List<KeyValuePair<string, SparkplugValue>>.Enumerator GetEnumerator() => _items.GetEnumerator();

    IEnumerator<KeyValuePair<string, SparkplugValue>> IEnumerable<KeyValuePair<string, SparkplugValue>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The properties as <c>{key=Type(value), …}</c>.</summary>
    public override string ToString() => SparkplugValueFormatter.Format(this);

    private int IndexOf(string key)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
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
