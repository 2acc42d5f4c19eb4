import FabnetConfig
import FabnetModel
import Foundation
import Synchronization

/// What a generation run did, by identity common name.
public struct CryptoGenerationReport: Sendable, Codable {
    public var output: String
    public var createdAuthorities: [String] = []
    public var keptAuthorities: [String] = []
    public var createdIdentities: [String] = []
    public var keptIdentities: [String] = []
    /// Identities whose files were incomplete or not signed by the org's current CA.
    public var replacedIdentities: [String] = []
    /// Seconds spent in libcrypto (key generation, signing, PEM encoding); the rest of a run is
    /// the file system (reads of what exists, folders, writes).
    public var cryptoSeconds: Double = 0
}

/// Makes a network's keys and certificates in cryptogen's layout with libcrypto, in process.
///
/// Guarantees:
/// - Idempotent: a CA or identity whose files are present and consistent (key matches
///   certificate, certificate signed by the org's CA) is kept; only missing or broken pieces are
///   made, so adding a node to the description adds only its identity, signed by the existing CA.
/// - `force` removes each org's folder first and makes everything anew.
/// - Keys are P-256 PKCS#8 PEM, mode 0600. Every TLS certificate has SANs (CN, short host,
///   `localhost`, `127.0.0.1` and the description's extras) and EKU serverAuth + clientAuth.
/// - A CA whose key and certificate disagree stops generation with an error that says so.
public struct CryptoMaterialGenerator: Sendable {
    public let layout: CryptoLayout
    public let now: Date
    /// Time inside `openSSL { }` during the current `generate`.
    private let cryptoTime = CryptoTime()

    public init(output: URL, now: Date = Date()) {
        self.layout = CryptoLayout(root: output)
        self.now = now
    }

    public func generate(_ spec: NetworkSpec, force: Bool = false) throws -> CryptoGenerationReport {
        var report = CryptoGenerationReport(output: layout.root.path)
        cryptoTime.reset()
        // Orgs are independent (own folders, own CAs): made on all cores at once, reported in
        // the description's order. 100 peers' material took a second on one core.
        let organizations = spec.organizations
        let results = Mutex([Result<CryptoGenerationReport, any Error>?](repeating: nil, count: organizations.count))
        DispatchQueue.concurrentPerform(iterations: organizations.count) { index in
            let org = organizations[index]
            let result = Result { () throws -> CryptoGenerationReport in
                if force, MaterialFiles.exists(layout.organizationDirectory(org)) {
                    try FileManager.default.removeItem(at: layout.organizationDirectory(org))
                }
                var part = CryptoGenerationReport(output: layout.root.path)
                try generate(org, report: &part)
                return part
            }
            results.withLock { $0[index] = result }
        }
        for result in results.withLock({ $0 }) {
            let part = try result!.get()
            report.createdAuthorities += part.createdAuthorities
            report.keptAuthorities += part.keptAuthorities
            report.createdIdentities += part.createdIdentities
            report.keptIdentities += part.keptIdentities
            report.replacedIdentities += part.replacedIdentities
        }
        report.cryptoSeconds = cryptoTime.seconds
        return report
    }

    func generate(_ org: OrganizationSpec, report: inout CryptoGenerationReport) throws {
        let ca = try authority(
            directory: layout.caDirectory(org), certificateName: layout.caCertificateName(org),
            commonName: "\(org.caHostname).\(org.domain)", hostname: org.caHostname, org: org, report: &report)
        let tlsCA = try authority(
            directory: layout.tlsCADirectory(org), certificateName: layout.tlsCACertificateName(org),
            commonName: "tlsca.\(org.domain)", hostname: "tlsca", org: org, report: &report)
        let context = OrganizationContext(
            org: org, ca: ca, tlsCA: tlsCA, caPEM: try ca.certificate.pem(), tlsCAPEM: try tlsCA.certificate.pem(),
            caFileName: layout.caCertificateName(org), tlsCAFileName: layout.tlsCACertificateName(org))
        var adminPEM: String?
        for user in org.users {
            let pem = try identity(
                directory: layout.userDirectory(user, in: org), commonName: user.commonName,
                role: user.role.rawValue, sans: [user.commonName, "localhost", "127.0.0.1"], isUser: true,
                context: context, adminPEM: adminPEM, report: &report)
            if user.role == .admin { adminPEM = pem }
        }
        try writeMSP(layout.organizationMSPDirectory(org), context: context, adminPEM: adminPEM)
        for node in org.nodes {
            try identity(
                directory: layout.nodeDirectory(node, in: org), commonName: node.commonName, role: node.role.rawValue,
                sans: [node.commonName, node.hostname, "localhost", "127.0.0.1"] + node.extraSANs, isUser: false,
                context: context, adminPEM: adminPEM, report: &report)
        }
    }

    /// The org-wide facts every identity's MSP folder repeats.
    struct OrganizationContext {
        let org: OrganizationSpec
        let ca: CertificateAuthority
        let tlsCA: CertificateAuthority
        let caPEM: String
        let tlsCAPEM: String
        let caFileName: String
        let tlsCAFileName: String
    }

    /// Loads the CA in `directory` if its key and certificate are there and agree; makes it if
    /// neither is there; refuses a half-present or mismatched CA.
    func authority(directory: URL, certificateName: String, commonName: String, hostname: String,
                   org: OrganizationSpec, report: inout CryptoGenerationReport) throws -> CertificateAuthority {
        let keyURL = directory.appendingPathComponent("priv_sk")
        let certificateURL = directory.appendingPathComponent(certificateName)
        let keyPEM = MaterialFiles.read(keyURL)
        let certificatePEM = MaterialFiles.read(certificateURL)
        switch (keyPEM, certificatePEM) {
        case let (keyPEM?, certificatePEM?):
            let key: PrivateKey, certificate: Certificate
            do {
                key = try PrivateKey(pem: keyPEM)
                certificate = try Certificate(pem: certificatePEM)
            } catch {
                throw CryptoGenerationError.inconsistentAuthority(path: directory.path, problem: "cannot read the CA's key or certificate (\(error))")
            }
            guard certificate.matches(key) else {
                throw CryptoGenerationError.inconsistentAuthority(path: directory.path, problem: "the CA's priv_sk does not belong to \(certificateName)")
            }
            report.keptAuthorities.append(commonName)
            return CertificateAuthority(key: key, certificate: certificate)
        case (nil, nil):
            let profile = CertificateProfile(kind: .certificateAuthority, commonName: commonName, organization: org.domain,
                                             subjectAlternativeNames: [commonName, hostname])
            let authority = try openSSL("making CA \(commonName)") { try CertificateAuthority.makeRoot(profile, now: now) }
            try MaterialFiles.write(try authority.key.pkcs8PEM(), to: keyURL, mode: MaterialFiles.keyMode)
            try MaterialFiles.write(try authority.certificate.pem(), to: certificateURL)
            report.createdAuthorities.append(commonName)
            return authority
        default:
            let missing = keyPEM == nil ? "priv_sk" : certificateName
            throw CryptoGenerationError.inconsistentAuthority(path: directory.path, problem: "\(missing) is missing while the rest of the CA is there")
        }
    }

    /// Keeps or makes one identity (enrollment + TLS) and writes its MSP and TLS folders.
    /// Returns its enrollment certificate PEM.
    @discardableResult
    func identity(directory: URL, commonName: String, role: String, sans: [String], isUser: Bool,
                  context: OrganizationContext, adminPEM: String?, report: inout CryptoGenerationReport) throws -> String {
        let msp = directory.appendingPathComponent("msp")
        let tls = directory.appendingPathComponent("tls")
        let (tlsCertificateName, tlsKeyName) = CryptoLayout.tlsFileNames(isUser: isUser)
        let signKeyURL = msp.appendingPathComponent("keystore/priv_sk")
        let signCertificateURL = msp.appendingPathComponent("signcerts/\(commonName)-cert.pem")
        let tlsKeyURL = tls.appendingPathComponent(tlsKeyName)
        let tlsCertificateURL = tls.appendingPathComponent(tlsCertificateName)
        let existing = [signKeyURL, signCertificateURL, tlsKeyURL, tlsCertificateURL].map(MaterialFiles.read)
        let enrollmentPEM: String
        if existing.allSatisfy({ $0 != nil }),
           isValid(certificatePEM: existing[1]!, keyPEM: existing[0]!, issuer: context.ca),
           isValid(certificatePEM: existing[3]!, keyPEM: existing[2]!, issuer: context.tlsCA) {
            enrollmentPEM = existing[1]!
            report.keptIdentities.append(commonName)
        } else {
            let made = try openSSL("making identity \(commonName)") { () -> (String, String, String, String) in
                let signKey = try PrivateKey.generateP256()
                let enrollment = try context.ca.issue(CertificateProfile(
                    kind: .enrollment, commonName: commonName,
                    organizationalUnit: context.org.enableNodeOUs ? role : nil), for: signKey, now: now)
                let tlsKey = try PrivateKey.generateP256()
                let tlsCertificate = try context.tlsCA.issue(CertificateProfile(
                    kind: .tls, commonName: commonName, subjectAlternativeNames: sans), for: tlsKey, now: now)
                return (try signKey.pkcs8PEM(), try enrollment.pem(), try tlsKey.pkcs8PEM(), try tlsCertificate.pem())
            }
            try MaterialFiles.write(made.0, to: signKeyURL, mode: MaterialFiles.keyMode)
            try MaterialFiles.write(made.1, to: signCertificateURL)
            try MaterialFiles.write(made.2, to: tlsKeyURL, mode: MaterialFiles.keyMode)
            try MaterialFiles.write(made.3, to: tlsCertificateURL)
            enrollmentPEM = made.1
            if existing.contains(where: { $0 != nil }) {
                report.replacedIdentities.append(commonName)
            } else {
                report.createdIdentities.append(commonName)
            }
        }
        try writeMSP(msp, context: context, adminPEM: adminPEM ?? (role == UserRole.admin.rawValue ? enrollmentPEM : nil))
        try MaterialFiles.write(context.tlsCAPEM, to: tls.appendingPathComponent("ca.crt"))
        return enrollmentPEM
    }

    /// The verifying parts of an MSP folder: cacerts, tlscacerts, admincerts and NodeOUs config.
    func writeMSP(_ msp: URL, context: OrganizationContext, adminPEM: String?) throws {
        try MaterialFiles.write(context.caPEM, to: msp.appendingPathComponent("cacerts/\(context.caFileName)"))
        try MaterialFiles.write(context.tlsCAPEM, to: msp.appendingPathComponent("tlscacerts/\(context.tlsCAFileName)"))
        let admincerts = msp.appendingPathComponent("admincerts")
        try MaterialFiles.makeDirectory(admincerts)
        if context.org.enableNodeOUs {
            try MaterialFiles.write(NodeOUsConfig.yaml(caCertificateFile: context.caFileName), to: msp.appendingPathComponent("config.yaml"))
        } else if let adminPEM {
            try MaterialFiles.write(adminPEM, to: admincerts.appendingPathComponent("Admin@\(context.org.domain)-cert.pem"))
        }
    }

    func isValid(certificatePEM: String, keyPEM: String, issuer: CertificateAuthority) -> Bool {
        guard let certificate = try? Certificate(pem: certificatePEM), let key = try? PrivateKey(pem: keyPEM) else { return false }
        return certificate.matches(key) && certificate.isIssued(by: issuer.certificate)
    }

    func openSSL<T>(_ context: String, _ body: () throws -> T) throws -> T {
        let start = ContinuousClock.now
        defer { cryptoTime.add(ContinuousClock.now - start) }
        do { return try body() } catch let error as OpenSSLError { throw CryptoGenerationError.openSSL(error, context: context) }
    }
}

/// Time accumulated inside libcrypto calls of one generator (one generation at a time).
final class CryptoTime: Sendable {
    private let total = Mutex(Duration.zero)
    func reset() { total.withLock { $0 = .zero } }
    func add(_ duration: Duration) { total.withLock { $0 += duration } }
    var seconds: Double {
        total.withLock { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
    }
}
