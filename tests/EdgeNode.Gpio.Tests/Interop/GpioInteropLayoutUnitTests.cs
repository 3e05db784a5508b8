using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static EdgeNode.Gpio.Interop;

namespace EdgeNode.Gpio.Tests.Interop;

/// <summary>Struct sizes, field offsets and ioctl numbers against include/uapi/linux/gpio.h.</summary>
public class GpioInteropLayoutUnitTests
{
    private static int Offset<T>(string field) where T : struct => (int)Marshal.OffsetOf<T>(field);

    [Fact]
    public void GpiochipInfo_Layout_Is68BytesWithLinesAt64()
    {
        Assert.Equal(68, Unsafe.SizeOf<gpiochip_info>());
        Assert.Equal(0, Offset<gpiochip_info>(nameof(gpiochip_info.name)));
        Assert.Equal(32, Offset<gpiochip_info>(nameof(gpiochip_info.label)));
        Assert.Equal(64, Offset<gpiochip_info>(nameof(gpiochip_info.lines)));
    }

    [Fact]
    public void LineAttribute_Layout_Is16BytesWithUnionAt8()
    {
        Assert.Equal(16, Unsafe.SizeOf<gpio_v2_line_attribute>());
        Assert.Equal(4, Offset<gpio_v2_line_attribute>(nameof(gpio_v2_line_attribute.padding)));
        Assert.Equal(8, Offset<gpio_v2_line_attribute>(nameof(gpio_v2_line_attribute.flags)));
        Assert.Equal(8, Offset<gpio_v2_line_attribute>(nameof(gpio_v2_line_attribute.values)));
        Assert.Equal(8, Offset<gpio_v2_line_attribute>(nameof(gpio_v2_line_attribute.debounce_period_us)));
    }

    [Fact]
    public void LineConfigAttribute_Layout_Is24BytesWithMaskAt16()
    {
        Assert.Equal(24, Unsafe.SizeOf<gpio_v2_line_config_attribute>());
        Assert.Equal(16, Offset<gpio_v2_line_config_attribute>(nameof(gpio_v2_line_config_attribute.mask)));
    }

    [Fact]
    public void LineConfig_Layout_Is272BytesWithTenAttributesFrom32()
    {
        Assert.Equal(272, Unsafe.SizeOf<gpio_v2_line_config>());
        Assert.Equal(8, Offset<gpio_v2_line_config>(nameof(gpio_v2_line_config.num_attrs)));
        Assert.Equal(12, Offset<gpio_v2_line_config>(nameof(gpio_v2_line_config.padding)));
        Assert.Equal(32, Offset<gpio_v2_line_config>(nameof(gpio_v2_line_config.attrs0)));
        var config = default(gpio_v2_line_config);
        ref var first = ref config.Attr(0);
        ref var last = ref config.Attr(9);
        Assert.Equal(9 * 24, (int)Unsafe.ByteOffset(ref first, ref last));
        Assert.Equal(272, 32 + 10 * 24);
    }

    [Fact]
    public void LineRequest_Layout_Is592BytesWithFdAt588()
    {
        Assert.Equal(592, Unsafe.SizeOf<gpio_v2_line_request>());
        Assert.Equal(0, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.offsets)));
        Assert.Equal(256, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.consumer)));
        Assert.Equal(288, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.config)));
        Assert.Equal(560, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.num_lines)));
        Assert.Equal(564, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.event_buffer_size)));
        Assert.Equal(568, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.padding)));
        Assert.Equal(588, Offset<gpio_v2_line_request>(nameof(gpio_v2_line_request.fd)));
    }

    [Fact]
    public void LineInfo_Layout_Is256Bytes()
    {
        Assert.Equal(256, Unsafe.SizeOf<gpio_v2_line_info>());
        Assert.Equal(32, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.consumer)));
        Assert.Equal(64, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.offset)));
        Assert.Equal(68, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.num_attrs)));
        Assert.Equal(72, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.flags)));
        Assert.Equal(80, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.attrs0)));
        Assert.Equal(240, Offset<gpio_v2_line_info>(nameof(gpio_v2_line_info.padding)));
    }

    [Fact]
    public void LineValues_Layout_Is16Bytes()
    {
        Assert.Equal(16, Unsafe.SizeOf<gpio_v2_line_values>());
        Assert.Equal(8, Offset<gpio_v2_line_values>(nameof(gpio_v2_line_values.mask)));
    }

    [Fact]
    public void LineEvent_Layout_Is48Bytes()
    {
        Assert.Equal(48, Unsafe.SizeOf<gpio_v2_line_event>());
        Assert.Equal(8, Offset<gpio_v2_line_event>(nameof(gpio_v2_line_event.id)));
        Assert.Equal(12, Offset<gpio_v2_line_event>(nameof(gpio_v2_line_event.offset)));
        Assert.Equal(16, Offset<gpio_v2_line_event>(nameof(gpio_v2_line_event.seqno)));
        Assert.Equal(20, Offset<gpio_v2_line_event>(nameof(gpio_v2_line_event.line_seqno)));
        Assert.Equal(24, Offset<gpio_v2_line_event>(nameof(gpio_v2_line_event.padding)));
    }

    [Fact]
    public void Ioctls_ComputedWithIocFormula_MatchConstants()
    {
        const uint type = 0xB4, rw = IOC_READ | IOC_WRITE;
        Assert.Equal(GPIO_GET_CHIPINFO_IOCTL, IOC(IOC_READ, type, 0x01, 68));
        Assert.Equal(GPIO_V2_GET_LINEINFO_IOCTL, IOC(rw, type, 0x05, 256));
        Assert.Equal(GPIO_V2_GET_LINEINFO_WATCH_IOCTL, IOC(rw, type, 0x06, 256));
        Assert.Equal(GPIO_V2_GET_LINE_IOCTL, IOC(rw, type, 0x07, 592));
        Assert.Equal(GPIO_GET_LINEINFO_UNWATCH_IOCTL, IOC(rw, type, 0x0C, 4));
        Assert.Equal(GPIO_V2_LINE_SET_CONFIG_IOCTL, IOC(rw, type, 0x0D, 272));
        Assert.Equal(GPIO_V2_LINE_GET_VALUES_IOCTL, IOC(rw, type, 0x0E, 16));
        Assert.Equal(GPIO_V2_LINE_SET_VALUES_IOCTL, IOC(rw, type, 0x0F, 16));
    }

    [Fact]
    public void Ioctls_LiteralValues_MatchStyleTable()
    {
        // The values style.md lists (0xC250B407 and 0xC010B40E also match _Static_asserts in an unrelated C project).
        Assert.Equal(0x8044B401u, GPIO_GET_CHIPINFO_IOCTL);
        Assert.Equal(0xC100B405u, GPIO_V2_GET_LINEINFO_IOCTL);
        Assert.Equal(0xC250B407u, GPIO_V2_GET_LINE_IOCTL);
        Assert.Equal(0xC004B40Cu, GPIO_GET_LINEINFO_UNWATCH_IOCTL);
        Assert.Equal(0xC110B40Du, GPIO_V2_LINE_SET_CONFIG_IOCTL);
        Assert.Equal(0xC010B40Eu, GPIO_V2_LINE_GET_VALUES_IOCTL);
        Assert.Equal(0xC010B40Fu, GPIO_V2_LINE_SET_VALUES_IOCTL);
    }

    [Fact]
    public void IocSize_OfEachIoctl_IsItsStructSize()
    {
        Assert.Equal(Unsafe.SizeOf<gpio_v2_line_request>(), IOC_SIZE(GPIO_V2_GET_LINE_IOCTL));
        Assert.Equal(Unsafe.SizeOf<gpio_v2_line_info>(), IOC_SIZE(GPIO_V2_GET_LINEINFO_IOCTL));
        Assert.Equal(Unsafe.SizeOf<gpio_v2_line_config>(), IOC_SIZE(GPIO_V2_LINE_SET_CONFIG_IOCTL));
        Assert.Equal(Unsafe.SizeOf<gpio_v2_line_values>(), IOC_SIZE(GPIO_V2_LINE_GET_VALUES_IOCTL));
        Assert.Equal(Unsafe.SizeOf<gpiochip_info>(), IOC_SIZE(GPIO_GET_CHIPINFO_IOCTL));
    }

    [Fact]
    public void LineFlags_Values_MatchEnumGpioV2LineFlag()
    {
        Assert.Equal(1UL, LineFlag.USED);
        Assert.Equal(0x2UL, LineFlag.ACTIVE_LOW);
        Assert.Equal(0x4UL, LineFlag.INPUT);
        Assert.Equal(0x8UL, LineFlag.OUTPUT);
        Assert.Equal(0x10UL, LineFlag.EDGE_RISING);
        Assert.Equal(0x20UL, LineFlag.EDGE_FALLING);
        Assert.Equal(0x40UL, LineFlag.OPEN_DRAIN);
        Assert.Equal(0x80UL, LineFlag.OPEN_SOURCE);
        Assert.Equal(0x100UL, LineFlag.BIAS_PULL_UP);
        Assert.Equal(0x200UL, LineFlag.BIAS_PULL_DOWN);
        Assert.Equal(0x400UL, LineFlag.BIAS_DISABLED);
        Assert.Equal(0x800UL, LineFlag.EVENT_CLOCK_REALTIME);
        Assert.Equal((1u, 2u, 3u), (LineAttrId.FLAGS, LineAttrId.OUTPUT_VALUES, LineAttrId.DEBOUNCE));
    }

    [Fact]
    public void FakeKernelOffsets_AgreeWithDriverStructs()
    {
        // The fake decodes with literal offsets of its own; if both disagreed with the header the other tests could
        // pass together, so pin the fake's sizes to the header's numbers too.
        Assert.Equal(592, Gpio.Testing.FakeGpioKernel.LineRequestSize);
        Assert.Equal(272, Gpio.Testing.FakeGpioKernel.LineConfigSize);
        Assert.Equal(256, Gpio.Testing.FakeGpioKernel.LineInfoSize);
        Assert.Equal(68, Gpio.Testing.FakeGpioKernel.ChipInfoSize);
        Assert.Equal(48, Gpio.Testing.FakeGpioKernel.EventSize);
        Assert.Equal(GPIO_V2_GET_LINE_IOCTL, Gpio.Testing.FakeGpioKernel.GetLineIoctl);
    }
}
