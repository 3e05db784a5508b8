namespace EdgeNode.Modbus;

/// <summary>Public function codes (Modbus Application Protocol V1.1b3 §6) that the master issues.</summary>
public enum ModbusFunctionCode : byte
{
    /// <summary>0x01 Read Coils (§6.1).</summary>
    ReadCoils = 0x01,

    /// <summary>0x02 Read Discrete Inputs (§6.2).</summary>
    ReadDiscreteInputs = 0x02,

    /// <summary>0x03 Read Holding Registers (§6.3).</summary>
    ReadHoldingRegisters = 0x03,

    /// <summary>0x04 Read Input Registers (§6.4).</summary>
    ReadInputRegisters = 0x04,

    /// <summary>0x05 Write Single Coil (§6.5).</summary>
    WriteSingleCoil = 0x05,

    /// <summary>0x06 Write Single Register (§6.6).</summary>
    WriteSingleRegister = 0x06,

    /// <summary>0x0F Write Multiple Coils (§6.11).</summary>
    WriteMultipleCoils = 0x0F,

    /// <summary>0x10 Write Multiple Registers (§6.12).</summary>
    WriteMultipleRegisters = 0x10,

    /// <summary>0x16 Mask Write Register (§6.16).</summary>
    MaskWriteRegister = 0x16,

    /// <summary>0x17 Read/Write Multiple Registers (§6.17).</summary>
    ReadWriteMultipleRegisters = 0x17,
}

/// <summary>Exception codes (Modbus Application Protocol V1.1b3 §7).</summary>
public enum ModbusExceptionCode : byte
{
    /// <summary>No exception.</summary>
    None = 0,

    /// <summary>01: the function code is not supported by the device.</summary>
    IllegalFunction = 0x01,

    /// <summary>02: the address (or address + quantity) is not valid on the device.</summary>
    IllegalDataAddress = 0x02,

    /// <summary>03: a value in the request is not allowed.</summary>
    IllegalDataValue = 0x03,

    /// <summary>04: an unrecoverable error occurred while the device performed the action.</summary>
    SlaveDeviceFailure = 0x04,

    /// <summary>05: accepted, will take long; the master waits for the real response (§7, NModbus: read again without resending).</summary>
    Acknowledge = 0x05,

    /// <summary>06: the device is busy with a long command; the master waits and resends.</summary>
    SlaveDeviceBusy = 0x06,

    /// <summary>07: the device cannot perform the program function.</summary>
    NegativeAcknowledge = 0x07,

    /// <summary>08: memory parity error in the device's record file.</summary>
    MemoryParityError = 0x08,

    /// <summary>0A: the gateway has no path to the target unit.</summary>
    GatewayPathUnavailable = 0x0A,

    /// <summary>0B: the gateway's target unit did not respond (treated like a timeout for device liveness).</summary>
    GatewayTargetFailedToRespond = 0x0B,
}
