using System.Diagnostics;
using System.IO.Ports;
using System.Reflection;
using EdgeNode.Testing;
using Xunit.Abstractions;

namespace EdgeNode.Probes.Tests;

/// <summary>System.IO.Ports 10.0.15 on Linux, on a socat pseudo-terminal pair (docs/decisions/system-io-ports.md).</summary>
public sealed class SerialPortProbeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SerialPort_ReadTimeoutOf1Ms_WaitsFarLongerThanAModbusT35()
    {
        await using var pty = await SocatPtyPair.StartAsync("ports");
        using var port = new SerialPort(pty.PortA, 19200) { ReadTimeout = 1 };
        port.Open();
        var buffer = new byte[16];
        // The shortest of five: scheduling noise on a loaded machine only ever adds time, so the minimum is the floor.
        var shortest = TimeSpan.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Throws<TimeoutException>(() => port.Read(buffer, 0, buffer.Length));
            shortest = watch.Elapsed < shortest ? watch.Elapsed : shortest;
        }

        output.WriteLine($"shortest 1 ms read timeout: {shortest.TotalMilliseconds:F1} ms");
        // A Modbus RTU frame ends after 3.5 character times of silence: 1.75 ms above 19200 baud, 4 ms at 9600. 10.0.15
        // waits 30 ms for any timeout up to 20 ms.
        Assert.True(shortest > TimeSpan.FromMilliseconds(20), $"shortest 1 ms read timeout took {shortest.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void SerialPort_PublicApi_HasNoRs485SettingAndNoDescriptor()
    {
        var names = typeof(SerialPort).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Select(m => m.Name).ToList();
        Assert.DoesNotContain(names, n => n.Contains("485", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("Handle", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.Contains("Ioctl", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SerialPort_BaseStream_ExposesNoDescriptor()
    {
        await using var pty = await SocatPtyPair.StartAsync("ports");
        using var port = new SerialPort(pty.PortA, 19200);
        port.Open();
        var stream = port.BaseStream;
        Assert.IsNotType<FileStream>(stream, exactMatch: false);
        Assert.DoesNotContain(stream.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance),
            p => typeof(System.Runtime.InteropServices.SafeHandle).IsAssignableFrom(p.PropertyType));
    }
}
