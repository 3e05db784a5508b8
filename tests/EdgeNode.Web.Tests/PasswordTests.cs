using System.Diagnostics;
using EdgeNode.Configuration;
using EdgeNode.Testing;

namespace EdgeNode.Web.Tests;

/// <summary><c>edgenode passwd</c> and the hash format it prints.</summary>
public sealed class PasswordTests
{
    [Fact]
    public void Hash_Verify_RightPasswordOnly()
    {
        var hash = PasswordHash.Hash("s3cret pass", PasswordHash.MinIterations);
        Assert.True(PasswordHash.Verify("s3cret pass", hash));
        Assert.False(PasswordHash.Verify("s3cret pasS", hash));
        Assert.False(PasswordHash.Verify("s3cret pass", "s3cret pass"));
    }

    [Fact]
    public void Hash_SamePasswordTwice_DifferentSalts()
    {
        Assert.NotEqual(PasswordHash.Hash("x", PasswordHash.MinIterations), PasswordHash.Hash("x", PasswordHash.MinIterations));
    }

    [Fact]
    public void Hash_Format_SelfDescribing()
    {
        var parts = PasswordHash.Hash("x", PasswordHash.MinIterations).Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal(PasswordHash.MinIterations.ToString(System.Globalization.CultureInfo.InvariantCulture), parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
    }

    private static async Task<(int Code, string Stdout, string Stderr)> PasswdAsync(string stdin)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(EdgeNodeCli.DllPath);
        start.ArgumentList.Add("passwd");
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Passwd_FromAPipe_PrintsOnlyAHashOfTheLine()
    {
        var (code, stdout, _) = await PasswdAsync("tunnel-and-tea 42\n");
        Assert.Equal(0, code);
        var hash = stdout.Trim();
        Assert.Single(hash.Split('\n'));
        Assert.DoesNotContain("tunnel-and-tea", stdout, StringComparison.Ordinal);
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("tunnel-and-tea 42", hash));
    }

    [Fact]
    public async Task Passwd_EmptyPipe_Exit2AndNoHash()
    {
        var (code, stdout, stderr) = await PasswdAsync("");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("no password on standard input", stderr, StringComparison.Ordinal);
    }
}
