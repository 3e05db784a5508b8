using EdgeNode.Configuration;
using EdgeNode.Modbus;
using EdgeNode.Sparkplug;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeNode.Engine.Tests.Node;

/// <summary>Issue 17 item 4: a device's pending writes are bounded by its metric count, the latest value per metric wins.</summary>
public sealed class DeviceRuntimeWriteQueueUnitTests
{
    private static DeviceRuntime Device() => new(new DeviceConfig
    {
        Id = "D",
        Kind = DeviceKind.Modbus,
        Modbus = new ModbusDeviceConfig { Link = ModbusLinkConfig.ForTcp("127.0.0.1", 502), UnitId = 1 },
        Metrics =
        [
            new MetricConfig { Name = "A", Table = ModbusTableSetting.HoldingRegister, Address = 0, Type = MetricDataType.UInt16, Writable = true },
            new MetricConfig { Name = "B", Table = ModbusTableSetting.HoldingRegister, Address = 1, Type = MetricDataType.UInt16, Writable = true },
        ],
    }, 0, 100, _ => throw new InvalidOperationException("not started"), NullLogger.Instance);

    [Fact]
    public void EnqueueWrite_NinetyThousandValuesForTwoMetrics_TwoPendingWrites()
    {
        var device = Device();
        var replaced = 0;
        for (var i = 0; i < 90_000; i++)
        {
            replaced += device.EnqueueWrite(i % 2, SparkplugValue.FromUInt16((ushort)(i % 1000))) ? 1 : 0;
        }

        Assert.Equal(2, device.PendingWrites);
        Assert.Equal(89_998, replaced);
    }
}
