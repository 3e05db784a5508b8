using Microsoft.Extensions.Logging;

namespace EdgeNode.Modbus;

/// <summary>
/// Shares one <see cref="ModbusMaster"/> per physical link (<see cref="ModbusLinkSettings.Key"/>): devices on the same
/// serial port get one serialized bus, devices behind the same host:port one connection. Each
/// <see cref="Acquire"/> returns a unit client holding a reference; the link closes when the last one is disposed,
/// or when the pool is.
/// </summary>
public sealed class ModbusLinkPool : IAsyncDisposable
{
    private readonly ILoggerFactory? _loggerFactory;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _links = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    public ModbusLinkPool(ILoggerFactory? loggerFactory = null)
    {
        _loggerFactory = loggerFactory;
    }

    /// <summary>The open links.</summary>
    public IReadOnlyList<ModbusMaster> Links
    {
        get
        {
            lock (_lock)
            {
                return _links.Values.Select(e => e.Master).ToList();
            }
        }
    }

    /// <summary>A client for <paramref name="unitId"/> on the link <paramref name="link"/>, sharing the link's master.</summary>
    /// <exception cref="ArgumentException">
    /// The link or options are invalid, or the same link (port, host:port) is already open with different settings.
    /// </exception>
    public ModbusUnitClient Acquire(ModbusLinkSettings link, byte unitId, ModbusMasterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(link);
        options ??= new ModbusMasterOptions();
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid Modbus options for unit {unitId}: {string.Join("; ", problems)}", nameof(options));
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var key = link.Key;
            if (_links.TryGetValue(key, out var entry))
            {
                if (entry.Master.Settings != link)
                {
                    throw new ArgumentException(
                        $"Modbus link {key} is already in use with other settings ({entry.Master.Settings}); every device on one " +
                        $"port or host:port must use the same link settings (got {link})", nameof(link));
                }
            }
            else
            {
                entry = new Entry(ModbusMaster.Create(link, _loggerFactory));
                _links.Add(key, entry);
            }

            entry.References++;
            return new ModbusUnitClient(entry.Master, unitId, options, () => Release(key, entry));
        }
    }

    private void Release(string key, Entry entry)
    {
        lock (_lock)
        {
            if (--entry.References > 0 || _disposed || !_links.Remove(key))
            {
                return;
            }
        }

        _ = entry.Master.DisposeAsync().AsTask();
    }

    /// <summary>Closes every link.</summary>
    public async ValueTask DisposeAsync()
    {
        List<Entry> entries;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            entries = [.. _links.Values];
            _links.Clear();
        }

        foreach (var entry in entries)
        {
            await entry.Master.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Entry(ModbusMaster master)
    {
        public ModbusMaster Master { get; } = master;

        public int References { get; set; }
    }
}
