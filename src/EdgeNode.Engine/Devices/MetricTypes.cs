using EdgeNode.Configuration;
using EdgeNode.Sparkplug;

namespace EdgeNode.Engine.Devices;

/// <summary>The contract's mapping of configuration types to Sparkplug datatypes.</summary>
public static class MetricTypes
{
    /// <summary>bool→Boolean, int16→Int16, …, float32→Float, float64→Double, string→String, anything scaled→Double.</summary>
    public static SparkplugDataType ToSparkplug(MetricConfig metric) =>
        metric.IsScaled ? SparkplugDataType.Double : ToSparkplug(metric.Type);

    /// <summary>The unscaled mapping.</summary>
    public static SparkplugDataType ToSparkplug(MetricDataType type) => type switch
    {
        MetricDataType.Bool => SparkplugDataType.Boolean,
        MetricDataType.Int16 => SparkplugDataType.Int16,
        MetricDataType.UInt16 => SparkplugDataType.UInt16,
        MetricDataType.Int32 => SparkplugDataType.Int32,
        MetricDataType.UInt32 => SparkplugDataType.UInt32,
        MetricDataType.Int64 => SparkplugDataType.Int64,
        MetricDataType.UInt64 => SparkplugDataType.UInt64,
        MetricDataType.Float32 => SparkplugDataType.Float,
        MetricDataType.Float64 => SparkplugDataType.Double,
        MetricDataType.String => SparkplugDataType.String,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown metric type"),
    };

    /// <summary>A parameter's value as a Sparkplug value of its type.</summary>
    public static SparkplugValue ParameterValue(ParameterConfig parameter)
    {
        var type = ToSparkplug(parameter.Type);
        var raw = parameter.Value switch
        {
            bool b => SparkplugValue.FromBoolean(b),
            long l => SparkplugValue.FromInt64(l),
            ulong u => SparkplugValue.FromUInt64(u),
            int i => SparkplugValue.FromInt64(i),
            double d => SparkplugValue.FromDouble(d),
            float f => SparkplugValue.FromDouble(f),
            string s => SparkplugValue.FromString(s),
            _ => SparkplugValue.FromString(parameter.Value.ToString() ?? ""),
        };
        if (raw.DataType == type)
        {
            return raw;
        }

        return raw.TryConvertTo(type, out var converted) ? converted : SparkplugValue.Null(type);
    }
}
