namespace EdgeNode.Testing;

/// <summary>
/// A throw-away PKI for TLS tests, made once per test process with openssl (EC P-256, fast): a test CA, a server
/// certificate for 127.0.0.1 and localhost, a client certificate for mutual TLS, and an unrelated CA to prove that a
/// wrong trust anchor is refused. All files are PEM.
/// </summary>
public sealed class MosquittoCertificates
{
    private static readonly Lazy<MosquittoCertificates> s_shared = new(() => Create(
        Path.Combine(Path.GetTempPath(), $"edgenode-mqtt-pki-{Environment.ProcessId}")));

    private MosquittoCertificates(string directory)
    {
        Directory = directory;
    }

    /// <summary>The set shared by every broker of this process.</summary>
    public static MosquittoCertificates Shared => s_shared.Value;

    /// <summary>Folder holding the files.</summary>
    public string Directory { get; }

    /// <summary>The test CA certificate (trust anchor for the server and client certificates).</summary>
    public string CaFile => Path.Combine(Directory, "ca.pem");

    /// <summary>A different, self-signed CA that signed nothing here (a "wrong CA").</summary>
    public string OtherCaFile => Path.Combine(Directory, "other-ca.pem");

    /// <summary>Server certificate (CN=localhost; SAN DNS:localhost, IP:127.0.0.1, IP:::1).</summary>
    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    /// <summary>Server private key.</summary>
    public string ServerKeyFile => Path.Combine(Directory, "server.key");

    /// <summary>Client certificate (CN=edgenode-test-client) signed by the test CA.</summary>
    public string ClientCertFile => Path.Combine(Directory, "client.pem");

    /// <summary>Client private key (PKCS#8).</summary>
    public string ClientKeyFile => Path.Combine(Directory, "client.key");

    /// <summary>Creates a fresh PKI in <paramref name="directory"/>.</summary>
    public static MosquittoCertificates Create(string directory)
    {
        var openssl = Peers.RequireDebian("openssl", "openssl");
        System.IO.Directory.CreateDirectory(directory);
        var pki = new MosquittoCertificates(directory);
        var timeout = TimeSpan.FromMinutes(1);

        void Run(params string[] args) => Peers.Run(openssl, args, timeout, directory);

        string[] ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        Run(["req", "-x509", .. ecKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=EdgeNode Test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
        Run(["req", "-x509", .. ecKey, "-keyout", "other-ca.key", "-out", "other-ca.pem", "-days", "3650", "-subj", "/CN=Some Other CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);

        File.WriteAllText(Path.Combine(directory, "server.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=serverAuth\n" +
            "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n");
        Run(["req", .. ecKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
        Run(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
            "-days", "3650", "-extfile", "server.ext"]);

        File.WriteAllText(Path.Combine(directory, "client.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\nextendedKeyUsage=clientAuth\n");
        Run(["req", .. ecKey, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=edgenode-test-client"]);
        Run(["x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.pem",
            "-days", "3650", "-extfile", "client.ext"]);
        return pki;
    }
}
