namespace EdgeNode.Storage.Tests;

/// <summary>
/// The test assembly doubles as the crashing writer of the kill -9 tests, so no extra project is needed:
/// <c>dotnet exec EdgeNode.Storage.Tests.dll crash-writer …</c>. Run by the test host it does nothing.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [CrashWriter.Command, .. var rest])
        {
            return await CrashWriter.RunAsync(rest);
        }

        return 0;
    }
}
