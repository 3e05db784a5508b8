using System.Buffers.Binary;

namespace EdgeNode.I2c;

/// <summary>
/// The factory trimming parameters of a BME280/BMP280 (BME280 datasheet §4.2.2 Table 16, BMP280 §3.11.2 Table 17):
/// dig_T1..T3 and dig_P1..P9 in 0x88..0x9F (little-endian words), dig_H1 in 0xA1, dig_H2..H6 in 0xE1..0xE7.
/// </summary>
public sealed record Bme280Calibration
{
    /// <summary>dig_T1 (unsigned short).</summary>
    public ushort T1 { get; init; }

    /// <summary>dig_T2.</summary>
    public short T2 { get; init; }

    /// <summary>dig_T3.</summary>
    public short T3 { get; init; }

    /// <summary>dig_P1 (unsigned short).</summary>
    public ushort P1 { get; init; }

    /// <summary>dig_P2.</summary>
    public short P2 { get; init; }

    /// <summary>dig_P3.</summary>
    public short P3 { get; init; }

    /// <summary>dig_P4.</summary>
    public short P4 { get; init; }

    /// <summary>dig_P5.</summary>
    public short P5 { get; init; }

    /// <summary>dig_P6.</summary>
    public short P6 { get; init; }

    /// <summary>dig_P7.</summary>
    public short P7 { get; init; }

    /// <summary>dig_P8.</summary>
    public short P8 { get; init; }

    /// <summary>dig_P9.</summary>
    public short P9 { get; init; }

    /// <summary>dig_H1 (unsigned char, 0xA1).</summary>
    public byte H1 { get; init; }

    /// <summary>dig_H2 (0xE1/0xE2).</summary>
    public short H2 { get; init; }

    /// <summary>dig_H3 (unsigned char, 0xE3).</summary>
    public byte H3 { get; init; }

    /// <summary>dig_H4: signed 12 bits, 0xE4[7:0] / 0xE5[3:0].</summary>
    public short H4 { get; init; }

    /// <summary>dig_H5: signed 12 bits, 0xE5[7:4] / 0xE6[7:0].</summary>
    public short H5 { get; init; }

    /// <summary>dig_H6 (signed char, 0xE7).</summary>
    public sbyte H6 { get; init; }

    /// <summary>Number of bytes read from 0x88 (0x88..0xA1): T and P words, a reserved byte, dig_H1.</summary>
    public const int TemperaturePressureLength = 26;

    /// <summary>Number of bytes read from 0xE1 (0xE1..0xE7): dig_H2..H6 (BME280 only).</summary>
    public const int HumidityLength = 7;

    /// <summary>Parses the two calibration blocks; <paramref name="humidity"/> is empty for a BMP280.</summary>
    public static Bme280Calibration Parse(ReadOnlySpan<byte> temperaturePressure, ReadOnlySpan<byte> humidity)
    {
        if (temperaturePressure.Length < TemperaturePressureLength)
        {
            throw new ArgumentException($"The 0x88 block has {TemperaturePressureLength} bytes.", nameof(temperaturePressure));
        }

        if (!humidity.IsEmpty && humidity.Length < HumidityLength)
        {
            throw new ArgumentException($"The 0xE1 block has {HumidityLength} bytes.", nameof(humidity));
        }

        var tp = temperaturePressure;
        var calibration = new Bme280Calibration
        {
            T1 = BinaryPrimitives.ReadUInt16LittleEndian(tp),
            T2 = S(tp, 2),
            T3 = S(tp, 4),
            P1 = BinaryPrimitives.ReadUInt16LittleEndian(tp[6..]),
            P2 = S(tp, 8),
            P3 = S(tp, 10),
            P4 = S(tp, 12),
            P5 = S(tp, 14),
            P6 = S(tp, 16),
            P7 = S(tp, 18),
            P8 = S(tp, 20),
            P9 = S(tp, 22),
            H1 = tp[25],
        };
        if (humidity.IsEmpty)
        {
            return calibration;
        }

        // 0xE4/0xE5/0xE6 pack two signed 12-bit values: H4 = E4 << 4 | E5[3:0], H5 = E6 << 4 | E5[7:4], the sign
        // coming from the whole byte E4 resp. E6 (Bosch BME280 API, parse_humidity_calib_data).
        return calibration with
        {
            H2 = BinaryPrimitives.ReadInt16LittleEndian(humidity),
            H3 = humidity[2],
            H4 = (short)(((sbyte)humidity[3] * 16) | (humidity[4] & 0x0F)),
            H5 = (short)(((sbyte)humidity[5] * 16) | (humidity[4] >> 4)),
            H6 = (sbyte)humidity[6],
        };
    }

    private static short S(ReadOnlySpan<byte> block, int at) => BinaryPrimitives.ReadInt16LittleEndian(block[at..]);

    /// <summary>The two calibration blocks as the chip stores them (for simulated chips and round-trip tests).</summary>
    public void Write(Span<byte> temperaturePressure, Span<byte> humidity)
    {
        var tp = temperaturePressure;
        BinaryPrimitives.WriteUInt16LittleEndian(tp, T1);
        BinaryPrimitives.WriteInt16LittleEndian(tp[2..], T2);
        BinaryPrimitives.WriteInt16LittleEndian(tp[4..], T3);
        BinaryPrimitives.WriteUInt16LittleEndian(tp[6..], P1);
        BinaryPrimitives.WriteInt16LittleEndian(tp[8..], P2);
        BinaryPrimitives.WriteInt16LittleEndian(tp[10..], P3);
        BinaryPrimitives.WriteInt16LittleEndian(tp[12..], P4);
        BinaryPrimitives.WriteInt16LittleEndian(tp[14..], P5);
        BinaryPrimitives.WriteInt16LittleEndian(tp[16..], P6);
        BinaryPrimitives.WriteInt16LittleEndian(tp[18..], P7);
        BinaryPrimitives.WriteInt16LittleEndian(tp[20..], P8);
        BinaryPrimitives.WriteInt16LittleEndian(tp[22..], P9);
        tp[24] = 0;
        tp[25] = H1;
        if (humidity.IsEmpty)
        {
            return;
        }

        BinaryPrimitives.WriteInt16LittleEndian(humidity, H2);
        humidity[2] = H3;
        humidity[3] = (byte)(H4 >> 4);
        humidity[4] = (byte)((H4 & 0x0F) | ((H5 & 0x0F) << 4));
        humidity[5] = (byte)(H5 >> 4);
        humidity[6] = (byte)H6;
    }
}

/// <summary>
/// Bosch's integer compensation formulas, exactly as printed in the BME280 datasheet §4.2.3 (rev. 1.1 of the code,
/// "BME280_compensate_T_int32", "BME280_compensate_P_int64", "bme280_compensate_H_int32"); the BMP280 datasheet
/// §3.11.3 has the same temperature and pressure code. Integer arithmetic gives the same result on every platform.
/// </summary>
public static class Bme280Compensation
{
    /// <summary>
    /// Temperature in 0.01 °C ("5123" = 51.23 °C) from the 20-bit <paramref name="adcT"/>; <paramref name="tFine"/>
    /// carries the fine temperature into the pressure and humidity formulas.
    /// </summary>
    public static int CompensateTemperature(int adcT, Bme280Calibration calibration, out int tFine)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        unchecked
        {
            var var1 = (((adcT >> 3) - (calibration.T1 << 1)) * calibration.T2) >> 11;
            var d = (adcT >> 4) - calibration.T1;
            var var2 = (((d * d) >> 12) * calibration.T3) >> 14;
            tFine = var1 + var2;
            return (tFine * 5 + 128) >> 8;
        }
    }

    /// <summary>
    /// Pressure in Pa as unsigned Q24.8 ("24674867" = 24674867/256 = 96386.2 Pa) from the 20-bit <paramref name="adcP"/>;
    /// 0 when the calibration would divide by zero.
    /// </summary>
    public static uint CompensatePressure(int adcP, int tFine, Bme280Calibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        unchecked
        {
            long var1 = tFine - 128000L;
            var var2 = var1 * var1 * calibration.P6;
            var2 += (var1 * calibration.P5) << 17;
            var2 += (long)calibration.P4 << 35;
            var1 = ((var1 * var1 * calibration.P3) >> 8) + ((var1 * calibration.P2) << 12);
            var1 = (((1L << 47) + var1) * calibration.P1) >> 33;
            if (var1 == 0)
            {
                return 0; // avoid the exception a division by zero would cause (datasheet comment)
            }

            long p = 1048576 - adcP;
            p = (((p << 31) - var2) * 3125) / var1;
            var1 = (calibration.P9 * (p >> 13) * (p >> 13)) >> 25;
            var2 = (calibration.P8 * p) >> 19;
            p = ((p + var1 + var2) >> 8) + ((long)calibration.P7 << 4);
            return (uint)p;
        }
    }

    /// <summary>Relative humidity in %RH as unsigned Q22.10 ("47445" = 47445/1024 = 46.333 %RH) from the 16-bit <paramref name="adcH"/>.</summary>
    public static uint CompensateHumidity(int adcH, int tFine, Bme280Calibration calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        unchecked
        {
            var v = tFine - 76800;
            v = ((((adcH << 14) - (calibration.H4 << 20) - (calibration.H5 * v)) + 16384) >> 15)
                * (((((((v * calibration.H6) >> 10) * (((v * calibration.H3) >> 11) + 32768)) >> 10) + 2097152)
                    * calibration.H2 + 8192) >> 14);
            v -= ((((v >> 15) * (v >> 15)) >> 7) * calibration.H1) >> 4;
            v = v < 0 ? 0 : v;
            v = v > 419430400 ? 419430400 : v;
            return (uint)(v >> 12);
        }
    }

    /// <summary>Maximum measurement time in ms for the oversampling counts (BME280 datasheet §9.1, Appendix B).</summary>
    public static double MaxMeasurementMs(int temperatureSamples, int pressureSamples, int humiditySamples) =>
        1.25 + 2.3 * temperatureSamples
        + (pressureSamples > 0 ? 2.3 * pressureSamples + 0.575 : 0)
        + (humiditySamples > 0 ? 2.3 * humiditySamples + 0.575 : 0);
}
