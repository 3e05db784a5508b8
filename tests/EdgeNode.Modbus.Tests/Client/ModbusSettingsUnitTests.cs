using EdgeNode.Serial;

namespace EdgeNode.Modbus.Tests.Client;

public class ModbusSettingsUnitTests
{
    [Fact]
    public void Key_IdentifiesPhysicalLink()
    {
        Assert.Equal("tcp:10.0.0.7:502", ModbusLinkSettings.ForTcp("10.0.0.7").Key);
        Assert.Equal("rtu:/dev/ttyUSB0", ModbusLinkSettings.ForRtu(new SerialPortSettings { PortName = "/dev/ttyUSB0" }).Key);
        Assert.Equal("rtuovertcp:gw:4001", ModbusLinkSettings.ForRtuOverTcp("gw", 4001).Key);
    }

    [Fact]
    public void Validate_Problems_AreAllNamed()
    {
        var problems = (ModbusLinkSettings.ForTcp("", 70000) with { MaxInFlight = 0, InterCharTimeoutMs = -1 }).Validate();
        Assert.Contains(problems, p => p.StartsWith("host", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("port: 70000", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("maxInFlight: 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("interCharTimeoutMs", StringComparison.Ordinal));
        Assert.Contains(new ModbusLinkSettings { Transport = ModbusTransportKind.Rtu }.Validate(), p => p.StartsWith("serial", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MasterOptions_NamesProblems()
    {
        var problems = new ModbusMasterOptions { TimeoutMs = 0, Retries = 11, UnitBackoffMs = 10, UnitBackoffMaxMs = 5 }.Validate();
        Assert.Equal(3, problems.Count);
    }

    [Fact]
    public void Create_InvalidLink_Throws() =>
        Assert.Throws<ArgumentException>(() => ModbusMaster.Create(ModbusLinkSettings.ForTcp("")));

    [Fact]
    public async Task Pool_SamePortDifferentLineSettings_IsRefused()
    {
        await using var pool = new ModbusLinkPool();
        var serial = new SerialPortSettings { PortName = "/dev/ttyEDGETEST", BaudRate = 19200 };
        await using var a = pool.Acquire(ModbusLinkSettings.ForRtu(serial), 1);
        var ex = Assert.Throws<ArgumentException>(() => pool.Acquire(ModbusLinkSettings.ForRtu(serial with { BaudRate = 9600 }), 2));
        Assert.Contains("rtu:/dev/ttyEDGETEST", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pool_SameLink_SharesOneMasterUntilLastRelease()
    {
        await using var pool = new ModbusLinkPool();
        var link = ModbusLinkSettings.ForTcp("127.0.0.1", 1);
        var a = pool.Acquire(link, 1);
        var b = pool.Acquire(link, 2, new ModbusMasterOptions { TimeoutMs = 50 });
        Assert.Same(a.Master, b.Master);
        Assert.Single(pool.Links);
        await a.DisposeAsync();
        Assert.Single(pool.Links);
        await b.DisposeAsync();
        Assert.Empty(pool.Links);
    }
}
