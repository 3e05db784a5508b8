namespace EdgeNode.Configuration.Tests;

/// <summary>Errors of devices and their Modbus sources, and the checks across devices.</summary>
public class DeviceErrorTests
{
    private const string Head = """
        node: { groupId: G, edgeNodeId: E }
        mqtt: { servers: [ "mqtt://b" ] }
        devices:

        """;

    private static ConfigLoadResult Devices(string yaml) => TempConfig.LoadText(Head + yaml);

    [Fact]
    public void MissingDeviceId_IsReportedAtTheDevice() =>
        ConfigAssert.Single(Devices("""
              - modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 4, 5, "devices[0]: missing required key 'id'");

    [Fact]
    public void InvalidDeviceId_IsOneTopicLevel() =>
        ConfigAssert.Single(Devices("""
              - id: Line1/Pump
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 4, 9, "devices[0].id: 'Line1/Pump' contains '/' at position 6");

    [Fact]
    public void DuplicateDeviceIds_PointAtTheSecond() =>
        ConfigAssert.Single(Devices("""
              - id: P
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: P
                modbus: { tcp: { host: plc }, unitId: 2 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 7, 9, "devices[1].id: duplicate device id 'P' (also devices[0], line 4)");

    [Fact]
    public void DisabledDevices_StillCountForDuplicateIds() =>
        ConfigAssert.Single(Devices("""
              - id: P
                enabled: false
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: P
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 8, 9, "duplicate device id 'P'");

    [Fact]
    public void DeviceWithoutSource_IsReported() =>
        ConfigAssert.Single(Devices("""
              - id: P
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 4, 5, "devices[0]: missing its source: one of modbus, gpio or i2c");

    [Fact]
    public void DeviceWithTwoSources_IsReportedAtTheSecond() =>
        ConfigAssert.Single(Devices("""
              - id: P
                modbus: { tcp: { host: plc } }
                gpio: { chip: gpiochip0 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 6, 5, "devices[0].gpio: a device has one source, and this one already has modbus");

    [Fact]
    public void ModbusWithoutLink_IsReported() =>
        ConfigAssert.Single(Devices("""
              - id: P
                modbus: { unitId: 3 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 5, 13, "devices[0].modbus: missing its link: tcp: { host, port } or rtu: { port, baud, ... }");

    [Fact]
    public void ModbusWithBothLinks_IsReported() =>
        ConfigAssert.Single(Devices("""
              - id: P
                modbus: { tcp: { host: plc }, rtu: { port: /dev/ttyUSB0 } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 5, 35, "devices[0].modbus.rtu: a device is reached over tcp or rtu, not both");

    [Theory]
    [InlineData("tcp: { host: plc, port: 0 }", "port: 0", 6, "devices[0].modbus.tcp.port: 0 is outside 1..65535")]
    [InlineData("tcp: { host: plc, port: 65536 }", "port: 65536", 6, "devices[0].modbus.tcp.port: 65536 is outside 1..65535")]
    [InlineData("tcp: { port: 502 }", "{ port", 0, "devices[0].modbus.tcp: missing required key 'host'")]
    [InlineData("tcp: { host: \"bad host!\" }", "\"bad", 0, "devices[0].modbus.tcp.host: 'bad host!' is not a valid host name or IP address")]
    [InlineData("tcp: { host: plc }, unitId: 256", "256", 0, "devices[0].modbus.unitId: 256 is outside 0..255")]
    [InlineData("rtu: { port: /dev/ttyUSB0 }, unitId: 0", "unitId: 0", 8, "devices[0].modbus.unitId: 0 is the RTU broadcast address, which cannot be polled")]
    [InlineData("rtu: { port: /dev/ttyUSB0 }, unitId: 248", "248", 0, "devices[0].modbus.unitId: 248 is outside 1..247")]
    [InlineData("tcp: { host: plc }, timeoutMs: 0", "0 }", 0, "devices[0].modbus.timeoutMs: 0 is outside 1..600000")]
    [InlineData("tcp: { host: plc }, retries: 11", "11", 0, "devices[0].modbus.retries: 11 is outside 0..10")]
    [InlineData("rtu: { baud: 9600 }", "{ baud", 0, "devices[0].modbus.rtu: missing required key 'port'")]
    [InlineData("rtu: { port: /dev/ttyS0, baud: 300 }", "300", 0, "devices[0].modbus.rtu.baud: 300 is outside 1200..921600")]
    [InlineData("rtu: { port: /dev/ttyS0, parity: mark }", "mark", 0, "devices[0].modbus.rtu.parity: unknown parity 'mark' (expected none, even, odd)")]
    [InlineData("rtu: { port: /dev/ttyS0, dataBits: 6 }", "6 }", 0, "devices[0].modbus.rtu.dataBits: 6 is outside 7..8")]
    [InlineData("rtu: { port: /dev/ttyS0, stopBits: 3 }", "3 }", 0, "devices[0].modbus.rtu.stopBits: 3 is outside 1..2")]
    [InlineData("rtu: { port: /dev/ttyS0, rs485: { delayRtsBeforeSendMs: 2000 } }", "2000", 0, "devices[0].modbus.rtu.rs485.delayRtsBeforeSendMs: 2000 is outside 0..1000")]
    [InlineData("rtu: { port: /dev/ttyS0, rs485: { rtsOnSend: true, rtsAfterSend: true } }", "true }", 0, "devices[0].modbus.rtu.rs485.rtsAfterSend: rtsOnSend and rtsAfterSend must differ")]
    [InlineData("rtu: { port: /dev/ttyS0, rs485: { rtsOnsend: true } }", "rtsOnsend", 0, "devices[0].modbus.rtu.rs485: unknown key 'rtsOnsend' (did you mean 'rtsOnSend'?)")]
    public void ModbusSource_IsChecked(string modbus, string at, int skip, string message)
    {
        var line = $"    modbus: {{ {modbus} }}";
        var result = Devices($"""
              - id: P
            {line}
                metrics: [ {"{"} name: A, table: coil, address: 0, type: bool {"}"} ]
            """);

        ConfigAssert.Single(result, 5, line.IndexOf(at, StringComparison.Ordinal) + 1 + skip, message);
    }

    [Fact]
    public void DevicesOnOneSerialPort_MustAgreeOnTheLine()
    {
        var result = Devices("""
              - id: A
                modbus: { rtu: { port: /dev/ttyUSB0, baud: 9600, parity: even }, unitId: 1 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: B
                modbus: { rtu: { port: /dev/ttyUSB0, baud: 9600, parity: even }, unitId: 2 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: C
                modbus: { rtu: { port: /dev/ttyUSB0, baud: 19200, parity: none, stopBits: 2 }, unitId: 3 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: D
                modbus: { rtu: { port: /dev/ttyUSB1, baud: 19200 }, unitId: 1 }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """);

        ConfigAssert.Single(result, 11, 20,
            "devices[2].modbus.rtu: serial port '/dev/ttyUSB0' is also used by devices[0] (line 5) with other line settings " +
            "(baud 19200 vs 9600, parity none vs even, stopBits 2 vs 1)");
    }

    [Fact]
    public void DisabledDevices_DoNotConflictOnASerialPort() =>
        ConfigAssert.Valid(Devices("""
              - id: A
                modbus: { rtu: { port: /dev/ttyUSB0, baud: 9600 } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: B
                enabled: false
                modbus: { rtu: { port: /dev/ttyUSB0, baud: 19200 } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """));

    [Fact]
    public void DeviceScanMs_HasAFloor() =>
        ConfigAssert.Single(Devices("""
              - id: A
                scanMs: 9
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 5, 13, "devices[0].scanMs: 9 is outside 10..86400000");

    [Fact]
    public void DeadAfterFailedScans_DefaultsToThree_DeviceOverridesNode()
    {
        var config = ConfigAssert.Valid(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E, deadAfterFailedScans: 2 }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              - id: A
                deadAfterFailedScans: 1
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
              - id: B
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """));
        Assert.Equal(2, config.Node.DeadAfterFailedScans);
        Assert.Equal(1, config.Devices[0].DeadAfterFailedScans);
        Assert.Null(config.Devices[1].DeadAfterFailedScans);
        Assert.Equal(3, new NodeSection { GroupId = "G", EdgeNodeId = "E" }.DeadAfterFailedScans);
    }

    [Fact]
    public void DeadAfterFailedScans_OutOfRange_IsAnErrorAtItsValue()
    {
        ConfigAssert.Single(Devices("""
              - id: A
                deadAfterFailedScans: 0
                modbus: { tcp: { host: plc } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """), 5, 27, "devices[0].deadAfterFailedScans: 0 is outside 1..100");
        ConfigAssert.Has(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E, deadAfterFailedScans: 101 }
            mqtt: { servers: [ "mqtt://b" ] }
            """), 1, 58, "node.deadAfterFailedScans: 101 is outside 1..100");
    }

    [Fact]
    public void DevicesMustBeAList() =>
        ConfigAssert.Single(TempConfig.LoadText("""
            node: { groupId: G, edgeNodeId: E }
            mqtt: { servers: [ "mqtt://b" ] }
            devices:
              A: { modbus: {} }
            """), 4, 3, "devices: expected a list, got a mapping");

    [Fact]
    public void TypeOnlyKeys_AreRefusedOnUntypedDevices()
    {
        var result = Devices("""
              - id: A
                modbus: { tcp: { host: plc } }
                addressOffset: 10
                overrides: { A: { deadband: 1 } }
                metrics: [ { name: A, table: coil, address: 0, type: bool } ]
            """);

        Assert.Equal(2, result.Errors.Count);
        ConfigAssert.Has(result, 6, 5, "devices[0].addressOffset: only for devices with a type");
        ConfigAssert.Has(result, 7, 5, "devices[0].overrides: only for devices with a type");
    }

    [Fact]
    public void EveryProblem_IsReportedInOneRun_InFileOrder()
    {
        var result = TempConfig.LoadText("""
            node:
              groupId: Wind/Farm
              edgeNodeId: E
              scanMs: 1
            mqtt:
              servers: [ "http://b" ]
              keepAliveSeconds: lots
            storeForward: { maxMegabytes: 0 }
            devices:
              - id: A
                modbus: { tcp: { host: plc, port: 70000 }, unitId: 1 }
                metrics:
                  - { name: Speed, table: holding, address: 0, type: flaot32 }
                  - { name: Speed, table: input, address: 1, type: uint16, writable: true }
                  - { name: Bits, table: holding, address: 2, type: uint16, bit: 3 }
              - id: A
                modbus: { rtu: { port: /dev/ttyUSB0 } }
                metrics:
                  - { name: S, table: holding, address: 0, type: string }
                  - { name: T, table: coil, address: 0, type: bool, adress: 2 }
            """);

        Assert.Null(result.Config);
        Assert.Equal(
        [
            "2:12 node.groupId",
            "4:11 node.scanMs",
            "6:14 mqtt.servers[0]",
            "7:21 mqtt.keepAliveSeconds",
            "8:31 storeForward.maxMegabytes",
            "11:39 devices[0].modbus.tcp.port",
            "13:58 devices[0].metrics[0].type",
            "14:17 devices[0].metrics[1].name",
            "14:74 devices[0].metrics[1].writable",
            "15:70 devices[0].metrics[2].bit",
            "16:9 devices[1].id",
            "19:9 devices[1].metrics[0]",
            "20:57 devices[1].metrics[1]",
        ], result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message[..e.Message.IndexOf(':', StringComparison.Ordinal)]}"));
        Assert.All(result.Errors, e => Assert.Equal("edgenode.yaml", Path.GetFileName(e.File)));
    }
}
