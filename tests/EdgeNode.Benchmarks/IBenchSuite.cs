namespace EdgeNode.Benchmarks;

/// <summary>
/// One area's benchmark (codec, MQTT, Modbus, store, node). Suites are discovered by reflection so each area owns
/// its own folder; `./build.sh bench [name...]` runs all or the named ones.
/// </summary>
public interface IBenchSuite
{
    /// <summary>Short name used on the command line (e.g. "codec").</summary>
    string Name { get; }

    /// <summary>Runs the measurements and prints a table through <paramref name="output"/>.</summary>
    Task RunAsync(BenchOutput output, CancellationToken cancellationToken);
}
