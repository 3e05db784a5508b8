using System.Buffers.Binary;

namespace EdgeNode.Modbus;

/// <summary>
/// The protocol data unit codec (Modbus Application Protocol V1.1b3 §6): encodes requests into a span, predicts and
/// validates responses. No I/O; shared by the RTU and TCP framings.
/// </summary>
internal static class ModbusPdu
{
    /// <summary>§4.1: the PDU is at most 253 bytes (256-byte RTU ADU minus address and CRC).</summary>
    public const int MaxLength = 253;

    /// <summary>§6.3/6.4: 1–125 registers per read.</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>§6.1/6.2: 1–2000 bits per read.</summary>
    public const int MaxReadBits = 2000;

    /// <summary>§6.12: 1–123 registers per write.</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>§6.11: 1–1968 coils per write.</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>§6.17: 1–121 registers written by Read/Write Multiple.</summary>
    public const int MaxReadWriteWriteRegisters = 121;

    public static int EncodeRead(Span<byte> pdu, ModbusFunctionCode function, ushort address, ushort quantity)
    {
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], quantity);
        return 5;
    }

    public static int EncodeWriteSingleCoil(Span<byte> pdu, ushort address, bool value)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteSingleCoil;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        // §6.5: 0xFF00 = ON, 0x0000 = OFF; anything else is illegal.
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value ? (ushort)0xFF00 : (ushort)0x0000);
        return 5;
    }

    public static int EncodeWriteSingleRegister(Span<byte> pdu, ushort address, ushort value)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteSingleRegister;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], value);
        return 5;
    }

    public static int EncodeWriteMultipleCoils(Span<byte> pdu, ushort address, ReadOnlySpan<bool> values)
    {
        var byteCount = (values.Length + 7) / 8;
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)byteCount;
        PackBits(values, pdu.Slice(6, byteCount));
        return 6 + byteCount;
    }

    public static int EncodeWriteMultipleRegisters(Span<byte> pdu, ushort address, ReadOnlySpan<ushort> values)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        WriteRegisters(values, pdu[6..]);
        return 6 + values.Length * 2;
    }

    public static int EncodeMaskWriteRegister(Span<byte> pdu, ushort address, ushort andMask, ushort orMask)
    {
        pdu[0] = (byte)ModbusFunctionCode.MaskWriteRegister;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], andMask);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[5..], orMask);
        return 7;
    }

    public static int EncodeReadWriteMultipleRegisters(Span<byte> pdu, ushort readAddress, ushort readQuantity, ushort writeAddress,
        ReadOnlySpan<ushort> values)
    {
        pdu[0] = (byte)ModbusFunctionCode.ReadWriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], readAddress);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], readQuantity);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[5..], writeAddress);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[7..], (ushort)values.Length);
        pdu[9] = (byte)(values.Length * 2);
        WriteRegisters(values, pdu[10..]);
        return 10 + values.Length * 2;
    }

    /// <summary>
    /// Length-predicted framing (NModbus <c>ResponseBytesToRead</c>): the full PDU length of the response to a request
    /// with function <paramref name="requestFunction"/>, from its first bytes. 0 = need more bytes; -1 = these bytes
    /// cannot start a response to that request.
    /// </summary>
    public static int PredictResponseLength(ReadOnlySpan<byte> start, byte requestFunction)
    {
        if (start.IsEmpty)
        {
            return 0;
        }

        var function = start[0];
        if (function == (requestFunction | 0x80))
        {
            return 2; // §7: function | 0x80, exception code
        }

        if (function != requestFunction)
        {
            return -1;
        }

        switch ((ModbusFunctionCode)function)
        {
            case ModbusFunctionCode.ReadCoils:
            case ModbusFunctionCode.ReadDiscreteInputs:
            case ModbusFunctionCode.ReadHoldingRegisters:
            case ModbusFunctionCode.ReadInputRegisters:
            case ModbusFunctionCode.ReadWriteMultipleRegisters:
                return start.Length < 2 ? 0 : 2 + start[1];
            case ModbusFunctionCode.WriteSingleCoil:
            case ModbusFunctionCode.WriteSingleRegister:
            case ModbusFunctionCode.WriteMultipleCoils:
            case ModbusFunctionCode.WriteMultipleRegisters:
                return 5;
            case ModbusFunctionCode.MaskWriteRegister:
                return 7;
            default:
                return -1;
        }
    }

    /// <summary>True when a normal response to <paramref name="request"/> is byte-for-byte the request itself (§6.5, §6.6, §6.16).</summary>
    public static bool ResponseEchoesRequest(ReadOnlySpan<byte> request) =>
        (ModbusFunctionCode)request[0] is ModbusFunctionCode.WriteSingleCoil or ModbusFunctionCode.WriteSingleRegister
            or ModbusFunctionCode.MaskWriteRegister;

    /// <summary>
    /// Checks <paramref name="response"/> against <paramref name="request"/>: an exception response gives
    /// <see cref="ModbusStatus.Exception"/> and its code; a normal one must have the function, byte count and echoed
    /// fields the request implies.
    /// </summary>
    public static ModbusStatus Validate(ReadOnlySpan<byte> request, ReadOnlySpan<byte> response, out ModbusExceptionCode exceptionCode,
        out string? error)
    {
        exceptionCode = ModbusExceptionCode.None;
        error = null;
        if (response.Length < 2)
        {
            error = $"response PDU of {response.Length} bytes";
            return ModbusStatus.InvalidResponse;
        }

        var function = request[0];
        if (response[0] == (function | 0x80))
        {
            if (response.Length != 2)
            {
                error = $"exception response of {response.Length} bytes";
                return ModbusStatus.InvalidResponse;
            }

            exceptionCode = (ModbusExceptionCode)response[1];
            return ModbusStatus.Exception;
        }

        if (response[0] != function)
        {
            error = $"function 0x{response[0]:X2} in the response to 0x{function:X2}";
            return ModbusStatus.InvalidResponse;
        }

        switch ((ModbusFunctionCode)function)
        {
            case ModbusFunctionCode.ReadCoils:
            case ModbusFunctionCode.ReadDiscreteInputs:
            case ModbusFunctionCode.ReadHoldingRegisters:
            case ModbusFunctionCode.ReadInputRegisters:
            case ModbusFunctionCode.ReadWriteMultipleRegisters:
            {
                var expected = ExpectedByteCount(request);
                if (response[1] != expected || response.Length != 2 + expected)
                {
                    error = $"byte count {response[1]} ({response.Length - 2} data bytes), expected {expected}";
                    return ModbusStatus.InvalidResponse;
                }

                return ModbusStatus.Ok;
            }

            case ModbusFunctionCode.WriteSingleCoil:
            case ModbusFunctionCode.WriteSingleRegister:
            case ModbusFunctionCode.MaskWriteRegister:
                if (!response.SequenceEqual(request))
                {
                    error = "the write response does not echo the request";
                    return ModbusStatus.InvalidResponse;
                }

                return ModbusStatus.Ok;
            case ModbusFunctionCode.WriteMultipleCoils:
            case ModbusFunctionCode.WriteMultipleRegisters:
                // §6.11/6.12: function, starting address, quantity.
                if (response.Length != 5 || !response[1..5].SequenceEqual(request[1..5]))
                {
                    error = "the write response does not echo the address and quantity";
                    return ModbusStatus.InvalidResponse;
                }

                return ModbusStatus.Ok;
            default:
                error = $"unsupported function 0x{function:X2}";
                return ModbusStatus.InvalidResponse;
        }
    }

    /// <summary>The data byte count a normal response to a read request carries.</summary>
    public static int ExpectedByteCount(ReadOnlySpan<byte> request)
    {
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        return (ModbusFunctionCode)request[0] switch
        {
            ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs => (quantity + 7) / 8,
            _ => quantity * 2,
        };
    }

    /// <summary>Registers of a read response (big-endian on the wire, §4.2) into host values.</summary>
    public static void ReadRegisters(ReadOnlySpan<byte> data, Span<ushort> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(2 * i)..]);
        }
    }

    /// <summary>Bits of a coil/discrete read response: LSB of the first byte is the first address (§6.1).</summary>
    public static void ReadBits(ReadOnlySpan<byte> data, Span<bool> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (data[i >> 3] & (1 << (i & 7))) != 0;
        }
    }

    public static void PackBits(ReadOnlySpan<bool> values, Span<byte> destination)
    {
        destination.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                destination[i >> 3] |= (byte)(1 << (i & 7));
            }
        }
    }

    private static void WriteRegisters(ReadOnlySpan<ushort> values, Span<byte> destination)
    {
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], values[i]);
        }
    }
}
