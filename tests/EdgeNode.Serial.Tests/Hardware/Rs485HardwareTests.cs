using System.Diagnostics;

namespace EdgeNode.Serial.Tests.Hardware;

/// <summary>
/// Real RS-485 hardware (see README.md in this folder): two ports wired A–A, B–B, GND–GND. Filtered out of CI by the
/// trait; run on a gateway with <c>dotnet test --filter feature=rs485</c>.
/// </summary>
[Trait("feature", "rs485")]
public class Rs485HardwareTests
{
    private static string Port => Environment.GetEnvironmentVariable("EDGENODE_RS485_PORT") ?? "/dev/ttyUSB0";

    private static string Peer => Environment.GetEnvironmentVariable("EDGENODE_RS485_PEER") ?? "/dev/ttyUSB1";

    private static bool KernelRs485 => Environment.GetEnvironmentVariable("EDGENODE_RS485_KERNEL") == "1";

    [Theory]
    [InlineData(9600)]
    [InlineData(19200)]
    [InlineData(115200)]
    public void WriteRead_AcrossTheBus_DeliversBytes(int baud)
    {
        var rs485 = KernelRs485 ? new Rs485Settings() : null;
        using var a = SerialPort.Open(new SerialPortSettings { PortName = Port, BaudRate = baud, Parity = SerialParity.Even, Rs485 = rs485 });
        using var b = SerialPort.Open(new SerialPortSettings { PortName = Peer, BaudRate = baud, Parity = SerialParity.Even, Rs485 = rs485 });
        Assert.Equal(KernelRs485, a.IsRs485Enabled);
        var payload = Enumerable.Range(0, 64).Select(i => (byte)(i * 7)).ToArray();
        a.Write(payload);
        var received = new byte[payload.Length];
        var got = 0;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
        while (got < payload.Length)
        {
            var n = b.ReadUntil(received.AsSpan(got), deadline);
            Assert.True(n > 0, $"only {got} of {payload.Length} bytes arrived");
            got += n;
        }

        Assert.Equal(payload, received);
    }
}
