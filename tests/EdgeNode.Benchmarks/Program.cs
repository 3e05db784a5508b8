using EdgeNode.Benchmarks;
using EdgeNode.Benchmarks.Mqtt;

if (args is [MqttPublisherProcess.Command, .. var publisherArgs])
{
    // a child of the "mqtt" suite: one publisher in a process of its own
    return await MqttPublisherProcess.RunAsync(publisherArgs);
}

var suites = typeof(IBenchSuite).Assembly.GetTypes()
    .Where(t => typeof(IBenchSuite).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchSuite)Activator.CreateInstance(t)!)
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

var wanted = args.Where(a => !a.StartsWith('-')).ToHashSet(StringComparer.OrdinalIgnoreCase);
var selected = wanted.Count == 0 ? suites : suites.Where(s => wanted.Contains(s.Name)).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"no benchmark named {string.Join(", ", wanted)}; have: {string.Join(", ", suites.Select(s => s.Name))}");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var output = new BenchOutput(Console.Out);
var failed = 0;
foreach (var suite in selected)
{
    try
    {
        await suite.RunAsync(output, cts.Token);
    }
    catch (Exception ex) when (ex is not OperationCanceledException)
    {
        failed++;
        Console.Error.WriteLine($"benchmark {suite.Name} failed: {ex}");
    }
}

return failed == 0 ? 0 : 1;
