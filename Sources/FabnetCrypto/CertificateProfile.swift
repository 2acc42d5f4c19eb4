import Foundation

/// What a certificate says about its subject and what it may be used for, before it is signed.
/// The three kinds fabnet issues follow cryptogen's conventions (see the README's crypto section):
/// a self-signed CA, an enrollment (MSP signing) certificate and a TLS certificate.
public struct CertificateProfile: Sendable {
    public enum Kind: Sendable {
        /// Self-signed root: basicConstraints CA, keyUsage certSign/cRLSign, EKU client+server auth.
        case certificateAuthority
        /// MSP identity: keyUsage digitalSignature only, no EKU, OU = role when NodeOUs are on.
        case enrollment
        /// TLS: keyUsage digitalSignature+keyEncipherment, EKU serverAuth+clientAuth, SANs always.
        case tls
    }

    public var kind: Kind
    public var commonName: String
    /// Subject O (CAs carry the org's domain; leaves carry none, as cryptogen).
    public var organization: String?
    /// Subject OU (the NodeOU role of an enrollment certificate).
    public var organizationalUnit: String?
    /// DNS names, IP addresses and e-mail addresses; each is classified when the certificate is built.
    public var subjectAlternativeNames: [String]
    public var country = "US"
    public var province = "California"
    public var locality = "San Francisco"
    /// 10 years, as cryptogen.
    public var validity: TimeInterval = 3650 * 86_400

    public init(kind: Kind, commonName: String, organization: String? = nil, organizationalUnit: String? = nil,
                subjectAlternativeNames: [String] = []) {
        self.kind = kind
        self.commonName = commonName
        self.organization = organization
        self.organizationalUnit = organizationalUnit
        self.subjectAlternativeNames = subjectAlternativeNames
    }

    /// The OpenSSL extension strings (`X509V3_EXT_nconf_nid` syntax) this profile asks for, in order.
    /// SKI comes before AKI so a self-signed CA can refer to its own key.
    var extensions: [(name: String, value: String)] {
        var result: [(String, String)] = []
        switch kind {
        case .certificateAuthority:
            result.append(("basicConstraints", "critical,CA:TRUE"))
            result.append(("keyUsage", "critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign"))
            result.append(("extendedKeyUsage", "clientAuth,serverAuth"))
        case .enrollment:
            result.append(("basicConstraints", "critical,CA:FALSE"))
            result.append(("keyUsage", "critical,digitalSignature"))
        case .tls:
            result.append(("basicConstraints", "critical,CA:FALSE"))
            result.append(("keyUsage", "critical,digitalSignature,keyEncipherment"))
            result.append(("extendedKeyUsage", "serverAuth,clientAuth"))
        }
        if let names = sanExtensionValue { result.append(("subjectAltName", names)) }
        result.append(("subjectKeyIdentifier", "hash"))
        result.append(("authorityKeyIdentifier", "keyid:always"))
        return result
    }

    /// `DNS:a,IP:127.0.0.1,email:x@y`, deduplicated, or nil when there are none.
    var sanExtensionValue: String? {
        var seen = Set<String>()
        let entries = subjectAlternativeNames.compactMap { name -> String? in
            let lowered = name.lowercased()
            guard !lowered.isEmpty, seen.insert(lowered).inserted else { return nil }
            if Self.isIPAddress(name) { return "IP:\(name)" }
            if name.contains("@") { return "email:\(name)" }
            return "DNS:\(lowered)"
        }
        return entries.isEmpty ? nil : entries.joined(separator: ",")
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
