using EdgeNode.Configuration;
using Microsoft.Extensions.Logging;

namespace EdgeNode;

/// <summary>Watches the configuration file (and the folders of included type files) and reports a change once it settles.</summary>
internal sealed class ConfigWatcher : IDisposable
{
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Action _changed;
    private readonly Timer _debounce;
    private readonly string _file;
    private readonly ILogger _logger;

    private ConfigWatcher(string file, Action changed, ILogger logger)
    {
        _file = file;
        _changed = changed;
        _logger = logger;
        _debounce = new Timer(_ => _changed(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public static ConfigWatcher? Start(string file, EdgeNodeConfig config, Action changed, ILogger logger)
    {
        var watcher = new ConfigWatcher(file, changed, logger);
        watcher.Update(config);
        return watcher;
    }

    public void Update(EdgeNodeConfig config)
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _watchers.Clear();
        var folders = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [Path.GetDirectoryName(_file)!] = Path.GetFileName(_file),
        };
        foreach (var type in config.Types)
        {
            if (type.SourcePath is { } source && Path.GetDirectoryName(source) is { } dir && !folders.ContainsKey(dir))
            {
                folders[dir] = null;
            }
        }

        foreach (var (folder, name) in folders)
        {
            try
            {
                var w = new FileSystemWatcher(folder)
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
                    IncludeSubdirectories = false,
                };
                if (name is not null)
                {
                    w.Filter = name;
                }

                w.Changed += OnChange;
                w.Created += OnChange;
                w.Renamed += OnChange;
                w.Deleted += OnChange;
                w.EnableRaisingEvents = true;
                _watchers.Add(w);
            }
#pragma warning disable CA1031 // watching is a convenience; SIGHUP still works
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogWarning("Not watching {Folder} for configuration changes: {Error}", folder, ex.Message);
            }
        }
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        // Editors write in several steps (truncate, write, rename): wait until the file settles.
        _debounce.Change(700, Timeout.Infinite);
    }

    public void Dispose()
    {
        foreach (var w in _watchers)
        {
            w.Dispose();
        }

        _debounce.Dispose();
    }
}
