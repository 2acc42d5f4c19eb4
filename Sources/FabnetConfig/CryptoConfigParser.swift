import Foundation

/// Reads cryptogen's crypto-config.yaml. Node names follow cryptogen's templates:
/// `CommonName` defaults to `{{.Hostname}}.{{.Domain}}`, a `Template` host to
/// `{{.Prefix}}{{.Index}}` (prefix `peer` or `orderer`), and `SANS` entries may use
/// `{{.Hostname}}`, `{{.Domain}}` and `{{.CommonName}}`.
struct CryptoConfigParser {
    let diagnostics: Diagnostics

    func parse(_ root: YAMLNode) -> CryptoConfigDocument {
        var document = CryptoConfigDocument()
        guard let top = MappingReader(root, path: "", diagnostics: diagnostics, what: "a crypto-config document") else { return document }
        top.warnUnknownKeys(known: ["OrdererOrgs", "PeerOrgs"])
        for (key, role) in [("OrdererOrgs", OrganizationRole.orderer), ("PeerOrgs", .peer)] {
            for item in top.list(key) ?? [] {
                if let org = organization(item.node, path: item.path, role: role) { document.organizations.append(org) }
            }
        }
        return document
    }

    func organization(_ node: YAMLNode, path: String, role: OrganizationRole) -> CryptoConfigOrganization? {
        guard let reader = MappingReader(node, path: path, diagnostics: diagnostics, what: "an organization") else { return nil }
        reader.warnUnknownKeys(known: ["Name", "Domain", "EnableNodeOUs", "CA", "Specs", "Template", "Users"])
        let name = reader.string("Name", required: true, hint: "give the organization a Name, e.g. Name: Org1")
        let domain = reader.string("Domain", required: true, hint: "give the organization a Domain, e.g. Domain: org1.example.com")
        let enableNodeOUs = reader.bool("EnableNodeOUs") ?? false
        var caHostname = "ca"
        if let ca = reader.mapping("CA", what: "the CA spec") {
            caHostname = ca.string("Hostname") ?? "ca"
        }
        guard let name, let domain else { return nil }
        let lowerDomain = domain.lowercased()
        var nodes: [CryptoConfigNode] = []
        for item in reader.list("Specs") ?? [] {
            guard let spec = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "a node spec") else { continue }
            guard let hostname = spec.string("Hostname", required: true) else { continue }
            let commonName = spec.string("CommonName").map { expand($0, hostname: hostname, domain: lowerDomain, commonName: nil) }
                ?? "\(hostname).\(lowerDomain)"
            let sans = (spec.strings("SANS") ?? []).map { expand($0, hostname: hostname, domain: lowerDomain, commonName: commonName) }
            nodes.append(CryptoConfigNode(hostname: hostname.lowercased(), commonName: commonName.lowercased(), sans: sans,
                                          location: item.node.location, path: item.path))
        }
        if let template = reader.mapping("Template", what: "the node template") {
            let count = template.count("Count", minimum: 0) ?? 0
            let start = template.count("Start", minimum: 0) ?? 0
            let pattern = template.string("Hostname") ?? "{{.Prefix}}{{.Index}}"
            let sanPatterns = template.strings("SANS") ?? []
            for index in start..<(start + count) {
                let hostname = pattern
                    .replacingTemplate("Prefix", with: role.rawValue)
                    .replacingTemplate("Index", with: String(index))
                let commonName = "\(hostname).\(lowerDomain)".lowercased()
                let sans = sanPatterns.map { expand($0, hostname: hostname, domain: lowerDomain, commonName: commonName) }
                nodes.append(CryptoConfigNode(hostname: hostname.lowercased(), commonName: commonName, sans: sans,
                                              location: template.node.location, path: template.path))
            }
        }
        var users = 0
        if let usersReader = reader.mapping("Users", what: "the Users section") {
            users = usersReader.count("Count", minimum: 0) ?? 0
        }
        return CryptoConfigOrganization(
            name: name, domain: lowerDomain, role: role, enableNodeOUs: enableNodeOUs, caHostname: caHostname,
            nodes: nodes, users: users, location: node.location, path: path)
    }

    func expand(_ text: String, hostname: String, domain: String, commonName: String?) -> String {
        var result = text.replacingTemplate("Hostname", with: hostname).replacingTemplate("Domain", with: domain)
        if let commonName { result = result.replacingTemplate("CommonName", with: commonName) }
        return result
    }
}

extension String {
    /// Replaces Go-template fields `{{.Name}}` / `{{ .Name }}`.
    func replacingTemplate(_ field: String, with value: String) -> String {
        var result = self
        for form in ["{{.\(field)}}", "{{ .\(field) }}", "{{ .\(field)}}", "{{.\(field) }}"] {
            result = result.replacingOccurrences(of: form, with: value)
        }
        return result
    }
}
