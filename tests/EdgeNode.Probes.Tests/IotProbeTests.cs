using System.Device.Gpio;
using System.Device.I2c;
using System.Reflection;
using Iot.Device.Bmxx80;
using Iot.Device.Sht3x;

namespace EdgeNode.Probes.Tests;

/// <summary>
/// System.Device.Gpio 4.2.0 and Iot.Device.Bindings 4.2.0 (docs/decisions/system-device-gpio.md,
/// docs/decisions/iot-device-bindings.md), the bindings driven through a simulated I2C device.
/// </summary>
public sealed class IotProbeTests
{
    [Fact]
    public void Gpio_PublicApi_HasNoDebounceActiveLowOrEventTimestamp()
    {
        var controller = typeof(GpioController).GetMembers(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name);
        Assert.DoesNotContain(controller, n => n.Contains("Debounce", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(Enum.GetNames<PinMode>(), n => n.Contains("Active", StringComparison.OrdinalIgnoreCase));
        var args = typeof(PinValueChangedEventArgs).GetProperties().Select(p => p.Name).ToList();
        Assert.Equal(["ChangeType", "PinNumber"], args.Order());
    }

    [Fact]
    public void Gpio_LinuxDrivers_LoadLibgpiodByName()
    {
        // The character-device drivers call into libgpiod (libgpiod.so.2 for v1, libgpiod.so.3 for v2) from apt.
        var assembly = typeof(GpioController).Assembly;
        Assert.NotNull(assembly.GetType("System.Device.Gpio.Drivers.LibGpiodDriver"));
        Assert.NotNull(assembly.GetType("System.Device.Gpio.Drivers.LibGpiodV2Driver"));
        var imports = assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<System.Runtime.InteropServices.DllImportAttribute>()?.Value)
            .Where(v => v is not null)
            .Distinct()
            .ToList();
        Assert.Contains(imports, v => v!.Contains("gpiod", StringComparison.Ordinal));
    }

    [Fact]
    public void Sht3x_CrcFailure_ReturnsThePreviousReadingSilently()
    {
        var device = new SimulatedSht3x();
        using var sensor = new Sht3x(device);
        device.Next(rawTemperature: 0x6666, rawHumidity: 0x8000, corruptCrc: false);
        var first = sensor.Temperature.DegreesCelsius;
        Assert.Equal(25.0, first, 1);

        device.Next(rawTemperature: 0x9999, rawHumidity: 0x4000, corruptCrc: true);
        // No exception, no flag: the caller cannot tell a stale value from a fresh one.
        Assert.Equal(first, sensor.Temperature.DegreesCelsius);
    }

    [Fact]
    public void Bme280_OnABmp280ChipId_Refuses()
    {
        var device = new RegisterDevice();
        device.Registers[0xD0] = 0x58; // BMP280's chip id; a BME280 answers 0x60
        Assert.ThrowsAny<Exception>(() => new Bme280(device));
    }

    /// <summary>An SHT3x: any write is a command; a read returns the staged six-byte measurement.</summary>
    private sealed class SimulatedSht3x : I2cDevice
    {
        private byte[] _measurement = new byte[6];

        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x44);

        public void Next(ushort rawTemperature, ushort rawHumidity, bool corruptCrc)
        {
            var t = new[] { (byte)(rawTemperature >> 8), (byte)rawTemperature };
            var h = new[] { (byte)(rawHumidity >> 8), (byte)rawHumidity };
            _measurement = [t[0], t[1], (byte)(Crc(t) ^ (corruptCrc ? 0xFF : 0)), h[0], h[1], Crc(h)];
        }

        public override byte ReadByte() => _measurement[0];

        public override void Read(Span<byte> buffer) => _measurement.AsSpan(0, buffer.Length).CopyTo(buffer);

        public override void WriteByte(byte value)
        {
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer) => Read(readBuffer);

        private static byte Crc(byte[] data)
        {
            byte crc = 0xFF;
            foreach (var b in data)
            {
                crc ^= b;
                for (var i = 0; i < 8; i++)
                {
                    crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
                }
            }

            return crc;
        }
    }

    /// <summary>A register-file device: the first byte written selects the register, reads continue from it.</summary>
    private sealed class RegisterDevice : I2cDevice
    {
        private int _pointer;

        public byte[] Registers { get; } = new byte[256];

        public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x76);

        public override byte ReadByte() => Registers[_pointer++ & 0xFF];

        public override void Read(Span<byte> buffer)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = ReadByte();
            }
        }

        public override void WriteByte(byte value) => _pointer = value;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _pointer = buffer[0];
            for (var i = 1; i < buffer.Length; i++)
            {
                Registers[_pointer++ & 0xFF] = buffer[i];
            }
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            Write(writeBuffer);
            Read(readBuffer);
        }
    }
}
