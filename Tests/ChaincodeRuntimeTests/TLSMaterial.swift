import Foundation

/// A throwaway CA and two certificates it issued (a server's and a client's, both for
/// 127.0.0.1 and localhost, P-256), made with the `openssl` command-line tool (which
/// scripts/install-deps installs) in a scratch folder the test removes.
struct TLSMaterial {
    let folder: URL
    var caCertificate: URL { folder.appendingPathComponent("ca.crt") }
    var serverCertificate: URL { folder.appendingPathComponent("server.crt") }
    var serverKey: URL { folder.appendingPathComponent("server.key") }
    var clientCertificate: URL { folder.appendingPathComponent("client.crt") }
    var clientKey: URL { folder.appendingPathComponent("client.key") }

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-cc-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + curve + ["-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=fabnet-test-ca", "-days", "1",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        for name in ["server", "client"] {
            try openssl(["req", "-new"] + curve + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try Data("""
                subjectAltName=IP:127.0.0.1,DNS:localhost
                extendedKeyUsage=serverAuth,clientAuth
                basicConstraints=CA:FALSE
                keyUsage=critical,digitalSignature

                """.utf8).write(to: folder.appendingPathComponent("\(name).ext"))
            try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", "\(name).crt", "-days", "1", "-extfile", "\(name).ext"])
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    private func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
        }
    }
}
