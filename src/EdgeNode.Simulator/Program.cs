using System.Globalization;
using System.Net;
using EdgeNode.Simulator;

// edgenode-sim turbine [--port 1502] [--host 127.0.0.1] [--unit 1]
// edgenode-sim farm [--port 1502] [--units 8] [--registers 250] [--change 0.1] [--period-ms 200]
var mode = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "turbine";
string Opt(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Int(string name, int fallback) => int.Parse(Opt(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

var host = IPAddress.Parse(Opt("--host", "127.0.0.1"));
var port = Int("--port", 1502);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

Task model;
IReadOnlyDictionary<byte, RegisterBank> units;
switch (mode)
{
    case "turbine":
        var bank = new RegisterBank();
        var turbine = new WindTurbineModel(bank);
        bank.Written += (table, address, count) =>
            Console.WriteLine($"master wrote {table} {address} (+{count - 1}): " +
                              (table == ModbusTable.Coil ? bank.GetCoil(address).ToString() : bank.GetHolding(address).ToString(CultureInfo.InvariantCulture)));
        units = new Dictionary<byte, RegisterBank> { [(byte)Int("--unit", 1)] = bank };
        model = turbine.RunAsync(TimeSpan.FromMilliseconds(100), stop.Token);
        break;
    case "farm":
        var farm = new RegisterFarm(Int("--units", 8), Int("--registers", 250),
            double.Parse(Opt("--change", "0.1"), CultureInfo.InvariantCulture));
        units = farm.Banks;
        model = farm.RunAsync(TimeSpan.FromMilliseconds(Int("--period-ms", 200)), stop.Token);
        break;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}': turbine or farm");
        return 2;
}

await using var server = new ModbusTcpServer(host, port, units);
try
{
    server.Start();
}
catch (System.Net.Sockets.SocketException ex)
{
    Console.Error.WriteLine($"cannot listen on {host}:{port}: {ex.Message}");
    return 1;
}

Console.WriteLine($"simulated {mode} listening on {host}:{server.Port} (units {string.Join(",", units.Keys)})");
await model;
return 0;
