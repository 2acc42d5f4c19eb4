import FabnetConfig
import FabnetCrypto
import Foundation

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct ScratchDirectory {
    let url: URL

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-test-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The default network, and a variant of it with a third peer in Org1.
enum Networks {
    static func defaultSpec() throws -> NetworkSpec { try NetworkLoader.load(file: nil).spec }

    static func withThreePeersInOrg1() throws -> NetworkSpec {
        let text = DefaultNetwork.configtx.replacingOccurrences(of: "      Count: 2\n      Port: 7051", with: "      Count: 3\n      Port: 7051")
        precondition(text != DefaultNetwork.configtx)
        return try NetworkLoader.load(text: text, file: "three-peers.yaml", directory: URL(fileURLWithPath: "/tmp")).spec
    }
}

/// Runs the `openssl` command-line tool, an independent check of what libcrypto wrote.
enum OpenSSLTool {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Standard output and exit status of `openssl <arguments>`.
    static func run(_ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    /// `openssl x509 -text` of a certificate file.
    static func text(of certificate: URL) throws -> String {
        let result = try run(["x509", "-in", certificate.path, "-noout", "-text"])
        guard result.status == 0 else { throw Failure(description: result.output) }
        return result.output
    }

    /// Whether `openssl verify` accepts `certificate` under `root`.
    static func verifies(_ certificate: URL, root: URL) throws -> Bool {
        let result = try run(["verify", "-x509_strict", "-CAfile", root.path, certificate.path])
        return result.status == 0 && result.output.contains(": OK")
    }

    /// The SubjectPublicKeyInfo PEM of a certificate and of a private key, for comparison.
    static func publicKey(ofCertificate url: URL) throws -> String { try run(["x509", "-in", url.path, "-noout", "-pubkey"]).output }
    static func publicKey(ofKey url: URL) throws -> String { try run(["pkey", "-in", url.path, "-pubout"]).output }
}

/// Every identity folder of a generated network, with what it should hold.
struct IdentityFiles {
    let org: OrganizationSpec
    let commonName: String
    let directory: URL
    let isUser: Bool
    let role: String

    var signKey: URL { directory.appendingPathComponent("msp/keystore/priv_sk") }
    var signCertificate: URL { directory.appendingPathComponent("msp/signcerts/\(commonName)-cert.pem") }
    var tlsCertificate: URL { directory.appendingPathComponent(isUser ? "tls/client.crt" : "tls/server.crt") }
    var tlsKey: URL { directory.appendingPathComponent(isUser ? "tls/client.key" : "tls/server.key") }

    static func all(_ spec: NetworkSpec, layout: CryptoLayout) -> [IdentityFiles] {
        spec.organizations.flatMap { org in
            org.nodes.map { IdentityFiles(org: org, commonName: $0.commonName, directory: layout.nodeDirectory($0, in: org), isUser: false, role: $0.role.rawValue) }
                + org.users.map { IdentityFiles(org: org, commonName: $0.commonName, directory: layout.userDirectory($0, in: org), isUser: true, role: $0.role.rawValue) }
        }
    }
}
