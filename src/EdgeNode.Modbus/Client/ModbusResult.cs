namespace EdgeNode.Modbus;

/// <summary>How a Modbus request ended. Expected faults are values, not exceptions.</summary>
public enum ModbusStatus : byte
{
    /// <summary>The device answered with a normal response.</summary>
    Ok,

    /// <summary>The device answered with an exception response; see <see cref="ModbusResult.ExceptionCode"/>.</summary>
    Exception,

    /// <summary>No (valid) response within the timeout, after every retry.</summary>
    Timeout,

    /// <summary>Bytes came back but not a valid response (CRC error, wrong length, wrong function, cut-off frame), after every retry.</summary>
    InvalidResponse,

    /// <summary>The link failed: the serial port could not be opened or the TCP connection failed/was refused.</summary>
    CommunicationError,

    /// <summary>The unit failed recently and is in back-off: the request was not sent, so other units keep the bus.</summary>
    UnitBackedOff,

    /// <summary>The value could not be encoded for the point (out of range for the register type, wrong kind, read-only table); nothing was sent.</summary>
    ValueRejected,
}

/// <summary>The outcome of a Modbus request without a payload (writes).</summary>
public readonly record struct ModbusResult(ModbusStatus Status, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.None, string? Error = null)
{
    /// <summary>A successful result.</summary>
    public static ModbusResult Ok => default;

    /// <summary>True for <see cref="ModbusStatus.Ok"/>.</summary>
    public bool IsOk => Status == ModbusStatus.Ok;

    /// <summary>
    /// True when the device answered at all (a normal or an exception response other than the gateway's
    /// "target failed to respond"/"path unavailable"): the device is alive.
    /// </summary>
    public bool DeviceResponded => Status == ModbusStatus.Ok
        || (Status == ModbusStatus.Exception && !ModbusResultExtensions.IsGatewayFailure(ExceptionCode));

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        ModbusStatus.Ok => "Ok",
        ModbusStatus.Exception => $"Exception {(byte)ExceptionCode:X2} ({ExceptionCode})",
        _ => Error is null ? Status.ToString() : $"{Status}: {Error}",
    };
}

/// <summary>The outcome of a Modbus request with a payload (reads).</summary>
public readonly record struct ModbusResult<T>(ModbusStatus Status, T? Value, ModbusExceptionCode ExceptionCode = ModbusExceptionCode.None,
    string? Error = null)
{
    /// <summary>True for <see cref="ModbusStatus.Ok"/>; <see cref="Value"/> is then set.</summary>
    public bool IsOk => Status == ModbusStatus.Ok;

    /// <summary>The result without its payload.</summary>
    public ModbusResult WithoutValue => new(Status, ExceptionCode, Error);

    /// <inheritdoc />
    public override string ToString() => WithoutValue.ToString();
}

internal static class ModbusResultExtensions
{
    /// <summary>A gateway's 0x0A/0x0B means the unit behind it is unreachable: for liveness that is a timeout.</summary>
    public static bool IsGatewayFailure(ModbusExceptionCode code) =>
        code is ModbusExceptionCode.GatewayPathUnavailable or ModbusExceptionCode.GatewayTargetFailedToRespond;
}
