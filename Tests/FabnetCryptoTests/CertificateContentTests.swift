import FabnetConfig
import FabnetCrypto
import Foundation
import Testing

/// Checked with the openssl command-line tool: chains, key/cert pairs, SANs, OUs, key usages.
@Suite struct CertificateContentTests {
    let scratch: ScratchDirectory
    let spec: NetworkSpec
    let layout: CryptoLayout

    init() throws {
        scratch = try ScratchDirectory("content")
        spec = try Networks.defaultSpec()
        layout = CryptoLayout(root: scratch.url)
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
    }

    func caCertificate(_ org: OrganizationSpec) -> URL { layout.caDirectory(org).appendingPathComponent(layout.caCertificateName(org)) }
    func tlsCACertificate(_ org: OrganizationSpec) -> URL { layout.tlsCADirectory(org).appendingPathComponent(layout.tlsCACertificateName(org)) }

    @Test func everyChainVerifiesWithOpenSSL() throws {
        defer { scratch.remove() }
        for identity in IdentityFiles.all(spec, layout: layout) {
            #expect(try OpenSSLTool.verifies(identity.signCertificate, root: caCertificate(identity.org)), "\(identity.commonName) enrollment")
            #expect(try OpenSSLTool.verifies(identity.tlsCertificate, root: tlsCACertificate(identity.org)), "\(identity.commonName) TLS")
            // Not across roots: an enrollment cert does not verify under the TLS CA.
            #expect(try !OpenSSLTool.verifies(identity.signCertificate, root: tlsCACertificate(identity.org)))
        }
        let org1 = spec.organizations[1], org2 = spec.organizations[2]
        let peer = layout.nodeDirectory(org2.peers[0], in: org2).appendingPathComponent("tls/server.crt")
        #expect(try !OpenSSLTool.verifies(peer, root: tlsCACertificate(org1)))
    }

    @Test func everyKeyMatchesItsCertificate() throws {
        defer { scratch.remove() }
        for identity in IdentityFiles.all(spec, layout: layout) {
            for (certificate, key) in [(identity.signCertificate, identity.signKey), (identity.tlsCertificate, identity.tlsKey)] {
                let fromCertificate = try OpenSSLTool.publicKey(ofCertificate: certificate)
                #expect(fromCertificate.contains("BEGIN PUBLIC KEY"))
                #expect(fromCertificate == (try OpenSSLTool.publicKey(ofKey: key)), "\(certificate.lastPathComponent)")
                let parsed = try Certificate(pem: String(contentsOf: certificate, encoding: .utf8))
                #expect(parsed.matches(try PrivateKey(pem: String(contentsOf: key, encoding: .utf8))))
            }
        }
    }

    @Test func certificateAuthoritiesAreMarkedAsCAs() throws {
        defer { scratch.remove() }
        for org in spec.organizations {
            for certificate in [caCertificate(org), tlsCACertificate(org)] {
                let text = try OpenSSLTool.text(of: certificate)
                #expect(text.contains("CA:TRUE"))
                #expect(text.contains("Certificate Sign, CRL Sign"))
                #expect(text.contains("X509v3 Subject Key Identifier"))
                #expect(text.contains("O = \(org.domain)"))
                #expect(text.contains("ASN1 OID: prime256v1"))
            }
        }
    }

    @Test func enrollmentCertificatesCarryTheirRoleOU() throws {
        defer { scratch.remove() }
        for identity in IdentityFiles.all(spec, layout: layout) {
            let text = try OpenSSLTool.text(of: identity.signCertificate)
            #expect(text.contains("OU = \(identity.role), CN = \(identity.commonName)"), "\(identity.commonName)")
            #expect(text.contains("Digital Signature"))
            #expect(!text.contains("Key Encipherment"))
            #expect(!text.contains("Extended Key Usage"))
            #expect(text.contains("CA:FALSE"))
            #expect(text.contains("X509v3 Authority Key Identifier"))
        }
    }

    @Test func tlsCertificatesHaveSANsAndBothAuthUsages() throws {
        defer { scratch.remove() }
        for identity in IdentityFiles.all(spec, layout: layout) {
            let text = try OpenSSLTool.text(of: identity.tlsCertificate)
            #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
            #expect(text.contains("Digital Signature, Key Encipherment"))
            #expect(text.contains("DNS:localhost"))
            #expect(text.contains("IP Address:127.0.0.1"))
            #expect(text.contains("X509v3 Authority Key Identifier"))
            if !identity.isUser {
                let short = identity.commonName.split(separator: ".").first!
                #expect(text.contains("DNS:\(identity.commonName), DNS:\(short)"), "\(identity.commonName)")
            }
        }
    }

    @Test func validityIsTenYearsFromFiveMinutesAgo() throws {
        defer { scratch.remove() }
        let org = spec.organizations[1]
        let certificate = try Certificate(pem: String(contentsOf: caCertificate(org), encoding: .utf8))
        let notAfter = try #require(certificate.notAfter)
        let expected = Date().addingTimeInterval(3650 * 86_400 - 300)
        #expect(abs(notAfter.timeIntervalSince(expected)) < 120)
    }

    @Test func serialsAreRandomAndDistinct() throws {
        defer { scratch.remove() }
        var serials = Set<String>()
        for identity in IdentityFiles.all(spec, layout: layout) {
            let serial = try OpenSSLTool.run(["x509", "-in", identity.tlsCertificate.path, "-noout", "-serial"]).output
            #expect(serials.insert(serial).inserted)
            #expect(serial.count > "serial=".count + 20)
        }
    }
}
