namespace EdgeNode.Configuration.Loading;

/// <summary>
/// Where a value is (<c>devices[3].metrics[120].address</c>), joined only when an error is reported: a valid value
/// never needs its path, and joining it for every key read was a string per value (a fifth of a large load's garbage).
/// </summary>
internal readonly struct ConfigPath(string parent, string? key)
{
    public static implicit operator ConfigPath(string path) => new(path, null);

    public override string ToString() => key is null ? parent : parent.Length == 0 ? key : $"{parent}.{key}";
}
