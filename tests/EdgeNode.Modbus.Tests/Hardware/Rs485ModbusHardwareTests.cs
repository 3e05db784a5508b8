using EdgeNode.Serial;

namespace EdgeNode.Modbus.Tests.Hardware;

/// <summary>
/// A real Modbus RTU slave on a real RS-485 line (see README.md in this folder). Filtered out of CI by the trait.
/// </summary>
[Trait("feature", "rs485")]
public class Rs485ModbusHardwareTests
{
    private static string Port => Environment.GetEnvironmentVariable("EDGENODE_RS485_PORT") ?? "/dev/ttyUSB0";

    private static int Baud => int.Parse(Environment.GetEnvironmentVariable("EDGENODE_RS485_BAUD") ?? "9600", System.Globalization.CultureInfo.InvariantCulture);

    private static byte Unit => byte.Parse(Environment.GetEnvironmentVariable("EDGENODE_RS485_UNIT") ?? "1", System.Globalization.CultureInfo.InvariantCulture);

    private static ushort Register => ushort.Parse(Environment.GetEnvironmentVariable("EDGENODE_RS485_REGISTER") ?? "0", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task ReadHoldingRegister_RealSlave_Answers()
    {
        var parity = Environment.GetEnvironmentVariable("EDGENODE_RS485_PARITY") switch
        {
            "none" => SerialParity.None,
            "odd" => SerialParity.Odd,
            _ => SerialParity.Even,
        };
        var serial = new SerialPortSettings
        {
            PortName = Port,
            BaudRate = Baud,
            Parity = parity,
            StopBits = parity == SerialParity.None ? SerialStopBits.Two : SerialStopBits.One,
            Rs485 = Environment.GetEnvironmentVariable("EDGENODE_RS485_KERNEL") == "1" ? new Rs485Settings() : null,
        };
        await using var master = ModbusMaster.Create(ModbusLinkSettings.ForRtu(serial));
        var unit = master.ForUnit(Unit, new ModbusMasterOptions { TimeoutMs = 1000, Retries = 2 });
        for (var i = 0; i < 20; i++)
        {
            var result = await unit.ReadHoldingRegistersAsync(Register, 1);
            Assert.True(result.DeviceRespondedOrOk(), result.ToString());
        }

        Assert.Equal(0, master.Statistics.InvalidResponses);
    }
}

internal static class HardwareResultExtensions
{
    /// <summary>Any answer proves the line works (the register may not exist on that device).</summary>
    public static bool DeviceRespondedOrOk(this ModbusResult<ushort[]> result) => result.WithoutValue.DeviceResponded;
}
