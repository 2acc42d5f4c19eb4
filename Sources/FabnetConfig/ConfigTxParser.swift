import FabnetModel
import Foundation

/// Reads a configtx.yaml tree into a `ConfigTxDocument`, reporting every problem it meets.
///
/// Relative paths (`MSPDir`) are resolved against `baseDirectory`, the folder holding the file,
/// as configtxgen does.
struct ConfigTxParser {
    let diagnostics: Diagnostics
    let baseDirectory: URL

    static let topLevelKeys: Set = ["Organizations", "Capabilities", "Application", "Orderer", "Channel", "Profiles", "Channels", "Chaincodes"]
    static let organizationKeys: Set = [
        "Name", "ID", "MSPDir", "MSPType", "Policies", "AnchorPeers", "OrdererEndpoints", "SkipAsForeign", "AdminPrincipal",
        "Domain", "Peers", "Users", "EnableNodeOUs",
    ]
    static let ordererKeys: Set = [
        "OrdererType", "Addresses", "BatchTimeout", "BatchSize", "EtcdRaft", "SmartBFT", "ConsenterMapping", "MaxChannels",
        "Organizations", "Policies", "Capabilities", "Kafka",
    ]
    static let profileKeys: Set = ["Orderer", "Application", "Consortium", "Consortiums", "Capabilities", "Policies"]

    func parse(_ root: YAMLNode) -> ConfigTxDocument {
        var document = ConfigTxDocument(file: root.location.file, location: root.location)
        guard !root.isNull else {
            diagnostics.error("the file is empty", at: root.location, key: nil,
                              hint: "describe at least Organizations and a profile; see configtx/configtx.yaml")
            return document
        }
        guard let top = MappingReader(root, path: "", diagnostics: diagnostics, what: "a configtx document") else {
            return document
        }
        top.warnUnknownKeys(known: Self.topLevelKeys)
        for item in top.list("Organizations") ?? [] {
            if let org = organization(item.node, path: item.path) { document.organizations.append(org) }
        }
        if let section = top.mapping("Orderer", what: "the Orderer section") { document.orderer = orderer(section) }
        if let section = top.mapping("Application", what: "the Application section") { document.application = application(section) }
        if let profiles = top.mapping("Profiles", what: "the Profiles section") {
            for (name, node) in profiles.node.mappingPairs ?? [] {
                guard let reader = MappingReader(node, path: profiles.keyPath(name), diagnostics: diagnostics, what: "a profile") else { continue }
                reader.warnUnknownKeys(known: Self.profileKeys)
                document.profiles.append(ConfigTxProfile(
                    name: name,
                    orderer: reader.mapping("Orderer", what: "an Orderer section").map(orderer),
                    application: reader.mapping("Application", what: "an Application section").map(application),
                    capabilities: capabilities(reader),
                    policies: reader.mapping("Policies", what: "a map of policies").map(policies),
                    location: node.location))
            }
        }
        for item in top.list("Channels") ?? [] {
            guard let reader = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "a channel") else { continue }
            reader.warnUnknownKeys(known: ["Name", "Profile"])
            let name = reader.string("Name", required: true, hint: "name the channel, e.g. Name: mychannel")
            let profile = reader.string("Profile", required: true, hint: "name the profile under Profiles the channel is made from")
            if let name, let profile {
                document.channels.append(ConfigTxChannel(name: name, profile: profile, location: item.node.location, path: item.path))
            }
        }
        for item in top.list("Chaincodes") ?? [] {
            guard let reader = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "a chaincode") else { continue }
            reader.warnUnknownKeys(known: ["Name", "Address", "Channels", "Version", "Policy", "ID", "TLSRootCert"])
            let name = reader.string("Name", required: true, hint: "name the chaincode, e.g. Name: basic")
            // No Address: the chaincode dials the peers (protos.ChaincodeSupport/Register).
            let address = reader.string("Address") ?? ""
            let channels = reader.strings("Channels")
            if channels == nil || channels?.isEmpty == true {
                reader.error("Channels", "a chaincode needs the channels it is defined on", hint: "e.g. Channels: [mychannel]")
            }
            if let name, let channels, !channels.isEmpty {
                document.chaincodes.append(ConfigTxChaincode(
                    name: name, address: address, channels: channels, version: reader.string("Version"), policy: reader.string("Policy"),
                    id: reader.string("ID"), tlsRootCert: reader.string("TLSRootCert").map { resolve(path: $0) },
                    location: item.node.location, path: item.path))
            }
        }
        return document
    }

    func organization(_ node: YAMLNode, path: String) -> ConfigTxOrganization? {
        guard let reader = MappingReader(node, path: path, diagnostics: diagnostics, what: "an organization") else { return nil }
        reader.warnUnknownKeys(known: Self.organizationKeys)
        var org = ConfigTxOrganization(location: node.location, path: path)
        org.name = reader.string("Name", required: true, hint: "give the organization a Name, e.g. Name: Org1MSP")
        org.id = reader.string("ID", required: true, hint: "give the organization its MSP ID, e.g. ID: Org1MSP")
        if let dir = reader.string("MSPDir") {
            org.mspDir = resolve(path: dir)
        }
        if let policies = reader.mapping("Policies", what: "a map of policies") { org.policies = self.policies(policies) }
        for item in reader.list("AnchorPeers") ?? [] {
            guard let anchor = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "an anchor peer (Host and Port)") else { continue }
            anchor.warnUnknownKeys(known: ["Host", "Port"])
            let host = anchor.string("Host", required: true, hint: "name the anchor peer's host, e.g. Host: peer0.org1.example.com")
            let port = anchor.int("Port", required: true)
            if let host, let port, let endpoint = checkedEndpoint(host: host, port: port, at: anchor.location(of: "Port"), path: anchor.keyPath("Port")) {
                org.anchorPeers.append(Located(value: endpoint, location: item.node.location, path: item.path))
            }
        }
        org.ordererEndpoints = endpoints(reader, "OrdererEndpoints")
        if let domain = reader.string("Domain") {
            org.domain = Located(value: domain.lowercased(), location: reader.location(of: "Domain"), path: reader.keyPath("Domain"))
        }
        if let peers = reader.mapping("Peers", what: "a peer template (Count, Start, Port)") {
            peers.warnUnknownKeys(known: ["Count", "Start", "Port"])
            let count = peers.count("Count", required: true)
            let start = peers.count("Start", minimum: 0) ?? 0
            var port: Located<Int>?
            if let value = peers.int("Port"), checkPort(value, at: peers.location(of: "Port"), path: peers.keyPath("Port")) {
                port = Located(value: value, location: peers.location(of: "Port"), path: peers.keyPath("Port"))
            }
            if let count { org.peers = PeerTemplate(count: count, start: start, port: port, location: peers.node.location) }
        }
        org.users = reader.count("Users", minimum: 0)
        org.enableNodeOUs = reader.bool("EnableNodeOUs")
        return org
    }

    func orderer(_ reader: MappingReader) -> ConfigTxOrderer {
        reader.warnUnknownKeys(known: Self.ordererKeys)
        var section = ConfigTxOrderer(location: reader.node.location)
        section.type = reader.string("OrdererType")
        section.addresses = endpoints(reader, "Addresses")
        section.batchTimeout = reader.duration("BatchTimeout")
        if let batch = reader.mapping("BatchSize", what: "the BatchSize section") {
            batch.warnUnknownKeys(known: ["MaxMessageCount", "AbsoluteMaxBytes", "PreferredMaxBytes"])
            if let count = batch.int("MaxMessageCount") {
                if count <= 0 {
                    batch.error("MaxMessageCount", "must be at least 1, found \(count): the orderer could never cut a block",
                                hint: "use a positive number such as 10 or 500")
                } else {
                    section.maxMessageCount = count
                }
            }
            section.absoluteMaxBytes = positiveSize(batch, "AbsoluteMaxBytes")
            section.preferredMaxBytes = positiveSize(batch, "PreferredMaxBytes")
            if let absolute = section.absoluteMaxBytes, let preferred = section.preferredMaxBytes, preferred > absolute {
                batch.error("PreferredMaxBytes",
                            "PreferredMaxBytes (\(ByteSize.format(preferred))) is above AbsoluteMaxBytes (\(ByteSize.format(absolute)))",
                            hint: "PreferredMaxBytes must not exceed AbsoluteMaxBytes; lower it or raise AbsoluteMaxBytes")
                section.preferredMaxBytes = nil
            }
        }
        if let raft = reader.mapping("EtcdRaft", what: "the EtcdRaft section") {
            consenters(raft.list("Consenters") ?? [], known: ["Host", "Port", "ClientTLSCert", "ServerTLSCert"], into: &section)
        }
        // BFT (Fabric 3): `ConsenterMapping` entries carry the same Host, Port and TLS certificates.
        consenters(reader.list("ConsenterMapping") ?? [],
                   known: ["ID", "Host", "Port", "MSPID", "Identity", "ClientTLSCert", "ServerTLSCert"], into: &section)
        section.organizations = references(reader)
        section.capabilities = capabilities(reader)
        section.policies = reader.mapping("Policies", what: "a map of policies").map(policies)
        return section
    }

    /// Raft `Consenters` or BFT `ConsenterMapping` entries: endpoints, and cert paths resolved
    /// against the file's folder.
    func consenters(_ items: [(node: YAMLNode, path: String)], known: Set<String>, into section: inout ConfigTxOrderer) {
        for item in items {
            guard let consenter = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "a consenter") else { continue }
            consenter.warnUnknownKeys(known: known)
            let host = consenter.string("Host", required: true)
            let port = consenter.int("Port", required: true)
            if let host, let port, let endpoint = checkedEndpoint(host: host, port: port, at: consenter.location(of: "Port"), path: consenter.keyPath("Port")) {
                section.consenters.append(Located(value: endpoint, location: item.node.location, path: item.path))
                section.consenterSpecs.append(ConsenterSpec(
                    endpoint: endpoint, clientTLSCert: consenter.string("ClientTLSCert").map(resolve(path:)),
                    serverTLSCert: consenter.string("ServerTLSCert").map(resolve(path:))))
            }
        }
    }

    /// The names of the enabled capabilities under `Capabilities` (`V2_0: true` → `V2_0`), sorted.
    func capabilities(_ reader: MappingReader) -> [String]? {
        guard let map = reader.mapping("Capabilities", what: "a map of capabilities (name: true)") else { return nil }
        return (map.node.mappingPairs ?? []).compactMap { name, _ in map.bool(name) == true ? name : nil }.sorted()
    }

    func application(_ reader: MappingReader) -> ConfigTxApplication {
        reader.warnUnknownKeys(known: ["Organizations", "Capabilities", "Policies", "ACLs"])
        return ConfigTxApplication(organizations: references(reader), capabilities: capabilities(reader),
                                   policies: reader.mapping("Policies", what: "a map of policies").map(policies),
                                   location: reader.node.location)
    }

    /// The `Organizations` list of a section: aliased org mappings or plain names.
    func references(_ reader: MappingReader) -> [OrganizationReference] {
        (reader.list("Organizations") ?? []).compactMap { item in
            if let name = item.node.scalar {
                return OrganizationReference(name: name, id: nil, location: item.node.location, path: item.path)
            }
            guard let org = MappingReader(item.node, path: item.path, diagnostics: diagnostics, what: "an organization") else { return nil }
            let name = org.string("Name")
            let id = org.string("ID")
            if name == nil, id == nil {
                org.error(nil, "organization entry has neither Name nor ID", hint: "reference an org defined under Organizations, e.g. - *Org1")
                return nil
            }
            return OrganizationReference(name: name, id: id, location: item.node.location, path: item.path)
        }
    }

    func policies(_ reader: MappingReader) -> [String: PolicySpec] {
        var result: [String: PolicySpec] = [:]
        for (name, node) in reader.node.mappingPairs ?? [] {
            guard let policy = MappingReader(node, path: reader.keyPath(name), diagnostics: diagnostics, what: "a policy (Type and Rule)") else { continue }
            let type = policy.string("Type", required: true)
            let rule = policy.string("Rule", required: true)
            if let type, let rule {
                if !["Signature", "ImplicitMeta"].contains(type) {
                    policy.error("Type", "unknown policy type '\(type)'", hint: "use Signature or ImplicitMeta")
                }
                result[name] = PolicySpec(type: type, rule: rule)
            }
        }
        return result
    }

    func endpoints(_ reader: MappingReader, _ key: String) -> [Located<Endpoint>] {
        guard let items = reader.list(key) else {
            // A single string is accepted as a one-item list.
            if let text = reader.child(key)?.scalar {
                return parseEndpoint(text, at: reader.location(of: key), path: reader.keyPath(key)).map { [$0] } ?? []
            }
            return []
        }
        return items.compactMap { item in
            guard let text = item.node.scalar else {
                diagnostics.error("expected host:port but found \(item.node.kindDescription)", at: item.node.location, key: item.path)
                return nil
            }
            return parseEndpoint(text, at: item.node.location, path: item.path)
        }
    }

    func parseEndpoint(_ text: String, at location: SourceLocation, path: String) -> Located<Endpoint>? {
        let trimmed = text.trimmingWhitespace()
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]) else {
            diagnostics.error("cannot read '\(text)' as host:port", at: location, key: path, hint: "write it as host:port, e.g. orderer.example.com:7050")
            return nil
        }
        guard let endpoint = checkedEndpoint(host: String(trimmed[..<colon]), port: port, at: location, path: path) else { return nil }
        return Located(value: endpoint, location: location, path: path)
    }

    func checkedEndpoint(host: String, port: Int, at location: SourceLocation, path: String) -> Endpoint? {
        guard checkPort(port, at: location, path: path) else { return nil }
        guard let endpoint = Endpoint(host: host.trimmingWhitespace().lowercased(), port: port) else {
            diagnostics.error("'\(host)' is not a valid host name", at: location, key: path)
            return nil
        }
        return endpoint
    }

    func checkPort(_ port: Int, at location: SourceLocation, path: String) -> Bool {
        guard Endpoint.validPorts.contains(port) else {
            diagnostics.error("port \(port) is out of range", at: location, key: path, hint: "use a TCP port from 1 to 65535")
            return false
        }
        return true
    }

    func positiveSize(_ reader: MappingReader, _ key: String) -> Int? {
        guard let size = reader.byteSize(key) else { return nil }
        guard size > 0 else {
            reader.error(key, "must be more than 0 bytes", hint: "use a size such as 10 MB")
            return nil
        }
        return size
    }

    func resolve(path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return baseDirectory.appendingPathComponent(path).standardizedFileURL.path
    }
}
