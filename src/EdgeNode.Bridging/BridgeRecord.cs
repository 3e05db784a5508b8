namespace EdgeNode.Bridging;

/// <summary>One Kafka record the bridge produces: for the data topic (<see cref="IsState"/> false) or the state topic.</summary>
public readonly record struct BridgeRecord(bool IsState, byte[] Key, byte[] Value);
