namespace EdgeNode.Systemd.Tests;

public sealed class SystemdNotifierUnitTests
{
    [Theory]
    [InlineData("online", "online")]
    [InlineData("a\nb", "a b")]
    [InlineData("a\r\n\r\nb", "a b")]
    [InlineData("\n lead", " lead")]
    [InlineData("tab\there", "tab here")]
    [InlineData("trail \n", "trail")]
    public void OneLine_ControlCharacters_BecomeSingleSpaces(string input, string expected) =>
        Assert.Equal(expected, SystemdNotifier.OneLine(input));

    [Fact]
    public void OneLine_HugeText_Capped()
    {
        var line = SystemdNotifier.OneLine(new string('x', 100_000));

        Assert.Equal(1024, line.Length);
    }

    [Fact]
    public void ServiceStatus_Online_FormatsOneLine()
    {
        var status = new ServiceStatus
        {
            State = "online",
            Broker = "mqtt://10.0.0.5:1883",
            DevicesUp = 3,
            DevicesDown = 1,
            PendingChanges = 120,
        };

        Assert.Equal("online via mqtt://10.0.0.5:1883; devices 3 up, 1 down; 120 stored changes pending", status.ToString());
    }

    [Fact]
    public void ServiceStatus_Connecting_FormatsBrokerAndSingular()
    {
        var status = new ServiceStatus { State = "connecting", Broker = "mqtts://b:8883", PendingChanges = 1 };

        Assert.Equal("connecting mqtts://b:8883; devices 0 up, 0 down; 1 stored change pending", status.ToString());
    }

    [Fact]
    public void ServiceStatus_SameValues_AreEqualSoCallerCanSkipResend()
    {
        var a = new ServiceStatus { State = "online", Broker = "mqtt://x:1883", DevicesUp = 2 };
        var b = new ServiceStatus { State = "online", Broker = "mqtt://x:1883", DevicesUp = 2 };

        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { DevicesUp = 1, DevicesDown = 1 });
    }
}
