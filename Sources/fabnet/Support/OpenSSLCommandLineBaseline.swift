import FabnetConfig
import Foundation
import Subprocess

/// The baseline `fabnet bench crypto` compares against: the same CAs and certificates made with
/// one `openssl` process per step, as shell-based generators (minifabric, test scripts) do.
/// It writes only keys and certificates (no MSP copies), which favours the baseline.
struct OpenSSLCommandLineBaseline {
    let directory: URL

    /// What one run made.
    struct Counts: Encodable {
        var certificates = 0
        var processes = 0
    }

    /// Makes every CA, enrollment and TLS certificate of `spec`.
    func generate(_ spec: NetworkSpec) async throws -> Counts {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var counts = Counts()
        for org in spec.organizations {
            let ca = try await authority(name: "ca.\(org.domain)", org: org)
            let tlsCA = try await authority(name: "tlsca.\(org.domain)", org: org)
            counts.certificates += 2
            counts.processes += 4
            let identities = org.users.map { ($0.commonName, $0.role.rawValue, ["localhost", "127.0.0.1"]) }
                + org.nodes.map { ($0.commonName, $0.role.rawValue, [$0.commonName, $0.hostname, "localhost", "127.0.0.1"]) }
            for (name, role, sans) in identities {
                try await leaf(name: "\(name)-sign", subject: "/C=US/ST=California/L=San Francisco/OU=\(role)/CN=\(name)", ca: ca,
                         extensions: "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid:always\n")
                let altNames = sans.map { CharacterSet.decimalDigits.contains($0.unicodeScalars.first!) ? "IP:\($0)" : "DNS:\($0)" }
                try await leaf(name: "\(name)-tls", subject: "/C=US/ST=California/L=San Francisco/CN=\(name)", ca: tlsCA,
                         extensions: """
                         basicConstraints=critical,CA:FALSE
                         keyUsage=critical,digitalSignature,keyEncipherment
                         extendedKeyUsage=serverAuth,clientAuth
                         subjectAltName=\(altNames.joined(separator: ","))
                         authorityKeyIdentifier=keyid:always

                         """)
                counts.certificates += 2
                counts.processes += 6
            }
        }
        return counts
    }

    func authority(name: String, org: OrganizationSpec) async throws -> (key: String, certificate: String) {
        let key = path("\(name).key"), certificate = path("\(name).pem")
        try await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        try await openssl(["req", "-x509", "-new", "-key", key, "-sha256", "-days", "3650", "-out", certificate,
                     "-subj", "/C=US/ST=California/L=San Francisco/O=\(org.domain)/CN=\(name)",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign",
                     "-addext", "extendedKeyUsage=clientAuth,serverAuth",
                     "-addext", "subjectAltName=DNS:\(name)"])
        return (key, certificate)
    }

    func leaf(name: String, subject: String, ca: (key: String, certificate: String), extensions: String) async throws {
        let key = path("\(name).key"), request = path("\(name).csr"), certificate = path("\(name).pem"), extFile = path("\(name).ext")
        try extensions.write(toFile: extFile, atomically: false, encoding: .utf8)
        try await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key])
        try await openssl(["req", "-new", "-key", key, "-subj", subject, "-out", request])
        try await openssl(["x509", "-req", "-in", request, "-CA", ca.certificate, "-CAkey", ca.key, "-set_serial",
                     "0x" + (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined(),
                     "-days", "3650", "-sha256", "-extfile", extFile, "-out", certificate])
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs `openssl` (found on PATH) with swift-subprocess: output discarded, standard error
    /// kept for the error when it fails.
    func openssl(_ arguments: [String]) async throws {
        let result = try await Subprocess.run(.name("openssl"), arguments: Arguments(arguments), output: .discarded,
                                              error: .string(limit: 1 << 20))
        guard result.terminationStatus.isSuccess else {
            throw BaselineError(description: "openssl \(arguments.joined(separator: " ")) failed (\(result.terminationStatus)): \(result.standardError)")
        }
    }

    struct BaselineError: Error, CustomStringConvertible { let description: String }
}
