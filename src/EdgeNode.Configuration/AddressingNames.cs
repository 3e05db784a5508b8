// The configuration's readers call the shared broker URL and Sparkplug id rules by the names they had when the
// configuration kept its own copies; the aliases keep those call sites as they are.
global using MqttServerUrl = EdgeNode.Addressing.MqttServerEndpoint;
global using SparkplugIdRules = EdgeNode.Addressing.SparkplugId;
