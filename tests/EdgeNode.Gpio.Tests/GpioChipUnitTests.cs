using EdgeNode.Gpio.Testing;

namespace EdgeNode.Gpio.Tests;

public class GpioChipUnitTests
{
    private static FakeGpioKernel PiLikeKernel()
    {
        var kernel = new FakeGpioKernel();
        kernel.AddRaspberryPi4Chip();
        kernel.AddChip("raspberrypi-exp-gpio", ["BT_ON", "WL_ON", "PWR_LED_OFF", "GLOBAL_RESET", "VDD_SD_IO_SEL", "CAM_GPIO", "SD_PWR_ON", ""]);
        return kernel;
    }

    [Theory]
    [InlineData("/dev/gpiochip1")]
    [InlineData("gpiochip1")]
    [InlineData("1")]
    [InlineData("raspberrypi-exp-gpio")]
    public void Open_ByPathNameNumberOrLabel_OpensThatChip(string spec)
    {
        var kernel = PiLikeKernel();
        using var chip = GpioChip.Open(spec, kernel);
        Assert.Equal(new GpioChipInfo("/dev/gpiochip1", "gpiochip1", "raspberrypi-exp-gpio", 8), chip.Info);
        Assert.Equal(1, kernel.OpenFileCount);
    }

    [Fact]
    public void Open_ByLabel_ClosesTheChipsItSkipped()
    {
        var kernel = PiLikeKernel();
        using var chip = GpioChip.Open("raspberrypi-exp-gpio", kernel);
        Assert.Equal(1, kernel.OpenFileCount);
        chip.Dispose();
        Assert.Equal(0, kernel.OpenFileCount);
    }

    [Fact]
    public void Open_UnknownLabel_ListsAvailableChips()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("pinctrl-rp1", PiLikeKernel()));
        Assert.Equal(GpioErrorKind.ChipNotFound, ex.Kind);
        Assert.Contains("gpiochip0 [pinctrl-bcm2711] (58 lines)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("gpiochip1 [raspberrypi-exp-gpio] (8 lines)", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public void Open_NoChipsAtAll_SaysThereAreNone()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("pinctrl-rp1", new FakeGpioKernel()));
        Assert.Equal(GpioErrorKind.ChipNotFound, ex.Kind);
        Assert.Contains("no /dev/gpiochip* devices", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_MissingPath_IsChipNotFoundNamingTheLabelAlternative()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("gpiochip4", PiLikeKernel()));
        Assert.Equal(GpioErrorKind.ChipNotFound, ex.Kind);
        Assert.Equal(2, ex.Errno);
        Assert.Contains("/dev/gpiochip4 does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("label", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PermissionDenied_NamesGpioGroupAndUdevRule()
    {
        var kernel = PiLikeKernel();
        kernel.Chips[0].AccessDenied = true;
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("gpiochip0", kernel));
        Assert.Equal(GpioErrorKind.AccessDenied, ex.Kind);
        Assert.Equal(13, ex.Errno);
        Assert.Contains("'gpio' group", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SupplementaryGroups=gpio", ex.Message, StringComparison.Ordinal);
        Assert.Contains("udev rule", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KERNEL==\"gpiochip*\"", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public void Open_ByLabelWhenEveryChipIsDenied_ReportsAccessDeniedNotNotFound()
    {
        var kernel = PiLikeKernel();
        kernel.Chips[0].AccessDenied = true;
        kernel.Chips[1].AccessDenied = true;
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("pinctrl-bcm2711", kernel));
        Assert.Equal(GpioErrorKind.AccessDenied, ex.Kind);
        Assert.Contains("/dev/gpiochip0, /dev/gpiochip1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_PathThatIsNoGpioChip_IsNotAGpioChipAndClosesIt()
    {
        var kernel = new FakeGpioKernel();
        kernel.AddOtherFile("/dev/null");
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("/dev/null", kernel));
        Assert.Equal(GpioErrorKind.NotAGpioChip, ex.Kind);
        Assert.Equal(0, kernel.OpenFileCount);
    }

    [Fact]
    public void EnumerateChips_SkipsUnreadableChips()
    {
        var kernel = PiLikeKernel();
        kernel.Chips[1].AccessDenied = true;
        var chip = Assert.Single(GpioChip.EnumerateChips(kernel));
        Assert.Equal("pinctrl-bcm2711", chip.Label);
        Assert.Equal(0, kernel.OpenFileCount);
    }

    [Fact]
    public void GetLineInfo_UsedLine_ReportsNameConsumerAndFlags()
    {
        var kernel = PiLikeKernel();
        kernel.Chips[0].ClaimLine(4, "onewire@4");
        using var chip = GpioChip.Open("gpiochip0", kernel);
        var info = chip.GetLineInfo(4);
        Assert.Equal("GPIO4", info.Name);
        Assert.True(info.IsUsed);
        Assert.Equal("onewire@4", info.Consumer);
        Assert.False(chip.GetLineInfo(5).IsUsed);
        Assert.Equal(58, chip.GetLineInfos().Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => chip.GetLineInfo(58));
    }

    [Theory]
    [InlineData("GPIO17", 17)]
    [InlineData("gpio17", 17)]
    [InlineData("17", 17)]
    [InlineData(" 27 ", 27)]
    public void ResolveLine_NumberOrName_GivesOffset(string line, int offset)
    {
        using var chip = GpioChip.Open("gpiochip0", PiLikeKernel());
        Assert.Equal(offset, chip.ResolveLine(line));
    }

    [Fact]
    public void ResolveLine_UnknownNameOrNumber_IsLineNotFoundWithHints()
    {
        using var chip = GpioChip.Open("gpiochip0", PiLikeKernel());
        var byName = Assert.Throws<GpioException>(() => chip.ResolveLine("DOOR"));
        Assert.Equal(GpioErrorKind.LineNotFound, byName.Kind);
        Assert.Contains("GPIO0, GPIO1", byName.Message, StringComparison.Ordinal);
        var byNumber = Assert.Throws<GpioException>(() => chip.ResolveLine("58"));
        Assert.Equal(GpioErrorKind.LineNotFound, byNumber.Kind);
        Assert.Contains("0..57", byNumber.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFindLineOnAnyChip_NameOnSecondChip_FindsChipAndOffset()
    {
        var kernel = PiLikeKernel();
        Assert.True(GpioChip.TryFindLineOnAnyChip("PWR_LED_OFF", out var chip, out var offset, kernel));
        Assert.Equal("gpiochip1", chip!.Name);
        Assert.Equal(2, offset);
        Assert.False(GpioChip.TryFindLineOnAnyChip("NOPE", out _, out _, kernel));
        Assert.Equal(0, kernel.OpenFileCount);
    }

    [Fact]
    public void GetLineInfo_ChipRemoved_IsDisconnected()
    {
        var kernel = PiLikeKernel();
        using var chip = GpioChip.Open("gpiochip0", kernel);
        kernel.Chips[0].Remove();
        Assert.Equal(GpioErrorKind.Disconnected, Assert.Throws<GpioException>(() => chip.GetLineInfo(1)).Kind);
    }

    [Fact]
    public void GetLineInfo_AfterDispose_Throws()
    {
        var chip = GpioChip.Open("gpiochip0", PiLikeKernel());
        chip.Dispose();
        Assert.Throws<ObjectDisposedException>(() => chip.GetLineInfo(1));
    }
}
