import FabnetModel
import Foundation

/// Turns a parsed configtx document (and any crypto-config documents) into a `NetworkSpec`,
/// reporting every inconsistency to `diagnostics`. Returns `nil` only when nothing usable is left.
///
/// How the topology is found (documented in the README, "The network description"):
/// - an org's domain: its `Domain` key, else the `<domain>` of an `MSPDir` written in cryptogen's
///   layout (`…/peerOrganizations/<domain>/msp`), else the crypto-config org of the same name;
/// - its nodes: the matching crypto-config org's Specs and Template, else fabnet's `Peers` key,
///   else one peer (`peer0`) for an application org; orderers from `OrdererEndpoints`, the orderer
///   `Addresses` and raft `Consenters` under its domain;
/// - peer ports: an anchor peer's port where given, else `Peers.Port + index`, else counted on
///   from the first anchor peer, else `7051 + 2000 × (index of the org among peer orgs)`;
/// - channels: fabnet's `Channels` list, else one channel `mychannel` made from the first profile
///   that has an `Application` section.
struct NetworkResolver {
    let diagnostics: Diagnostics

    static let defaultChannelName = "mychannel"

    func resolve(_ document: ConfigTxDocument, cryptoConfigs: [CryptoConfigDocument], source: String) -> NetworkSpec? {
        let orgs = uniqueOrganizations(document.organizations)
        guard !orgs.isEmpty else {
            if !diagnostics.hasErrors {
                diagnostics.error("no organizations are defined", at: document.location, key: "Organizations",
                                  hint: "list the orgs under Organizations; see configtx/configtx.yaml for an example")
            }
            return nil
        }
        let usage = organizationUsage(document, orgs: orgs)
        let cryptoOrgs = cryptoConfigs.flatMap(\.organizations)
        var matchedCrypto = Set<Int>()
        var specs: [OrganizationSpec] = []
        var nodeLocations: [String: SourceLocation] = [:]
        var peerOrgIndex = 0
        var ordererOrgIndex = 0
        for org in orgs {
            guard let name = org.name, let mspID = org.id else { continue }
            let (cryptoIndex, crypto) = matchCrypto(org, in: cryptoOrgs)
            if let cryptoIndex { matchedCrypto.insert(cryptoIndex) }
            guard let domain = org.domain?.value ?? inferredDomain(org.mspDir) ?? crypto?.domain else {
                diagnostics.error("cannot tell the domain of organization \(mspID)", at: org.location, key: org.path,
                                  hint: "add Domain: <org domain> (fabnet's single-file form), write MSPDir as …/peerOrganizations/<domain>/msp, or give a crypto-config.yaml")
                continue
            }
            let isOrderer = usage.orderer.contains(mspID) || !org.ordererEndpoints.isEmpty || crypto?.role == .orderer
            let isApplication = usage.application.contains(mspID) || !org.anchorPeers.isEmpty || org.peers != nil
                || crypto?.role == .peer || !isOrderer
            if !usage.application.contains(mspID), !usage.orderer.contains(mspID) {
                diagnostics.warning("organization \(mspID) is in no profile, so it joins no channel", at: org.location, key: org.path)
            }
            var spec = OrganizationSpec(
                name: name, mspID: mspID, domain: domain, role: isApplication ? .peer : .orderer, mspDir: org.mspDir,
                enableNodeOUs: crypto?.enableNodeOUs ?? org.enableNodeOUs ?? true, caHostname: crypto?.caHostname ?? "ca",
                peers: [], orderers: [], users: [], anchorPeers: org.anchorPeers.map(\.value),
                ordererEndpoints: org.ordererEndpoints.map(\.value), policies: org.policies)
            if isApplication {
                spec.peers = peers(of: org, mspID: mspID, domain: domain, crypto: crypto?.role == .peer ? crypto : nil,
                                   orgIndex: peerOrgIndex, locations: &nodeLocations)
                peerOrgIndex += 1
            }
            if isOrderer {
                spec.orderers = orderers(of: org, mspID: mspID, domain: domain, document: document,
                                         crypto: crypto?.role == .orderer ? crypto : nil,
                                         soleOrdererOrg: usage.orderer.count <= 1, orgIndex: ordererOrgIndex,
                                         locations: &nodeLocations)
                ordererOrgIndex += 1
            }
            let userCount = crypto?.users ?? org.users ?? (isApplication ? 1 : 0)
            spec.users = [UserSpec(name: "Admin", commonName: "Admin@\(domain)", role: .admin)]
                + (isApplication || crypto != nil ? (0..<userCount).map {
                    UserSpec(name: "User\($0 + 1)", commonName: "User\($0 + 1)@\(domain)", role: .client)
                } : [])
            checkAnchors(org, spec: spec)
            specs.append(spec)
        }
        for (index, crypto) in cryptoOrgs.enumerated() where !matchedCrypto.contains(index) {
            diagnostics.warning("crypto-config org \(crypto.name) (\(crypto.domain)) matches no organization of the configtx file and is ignored",
                                at: crypto.location, key: crypto.path,
                                hint: "give the configtx org the same domain (MSPDir …/\(crypto.domain)/msp or Domain: \(crypto.domain))")
        }
        checkUniqueDomains(specs, orgs: orgs)
        checkUniquePorts(specs, locations: nodeLocations)
        if !specs.isEmpty, specs.allSatisfy({ $0.orderers.isEmpty }) {
            diagnostics.error("the network has no orderer", at: document.location, key: "Organizations",
                              hint: "give an orderer org OrdererEndpoints (e.g. - orderer.example.com:7050) and list it under a profile's Orderer.Organizations")
        }
        if !specs.isEmpty, specs.allSatisfy({ $0.peers.isEmpty }) {
            diagnostics.error("the network has no peer", at: document.location, key: "Organizations",
                              hint: "list a peer org under a profile's Application.Organizations")
        }
        let ordererNodes = specs.flatMap(\.orderers)
        if ordererNodes.count > 1 {
            diagnostics.warning("the description has \(ordererNodes.count) orderers; fabnet runs one ordering node (\(ordererNodes[0].commonName)) and makes material for all",
                                at: document.orderer?.location ?? document.location, key: "Orderer")
        }
        let channels = self.channels(document, specs: specs, orgs: orgs)
        guard !specs.isEmpty else { return nil }
        let type = document.profiles.first { $0.orderer?.type != nil }?.orderer?.type ?? document.orderer?.type ?? "etcdraft"
        return NetworkSpec(
            source: source, organizations: specs,
            orderer: OrdererServiceSpec(
                type: type, endpoints: ordererNodes.map(\.endpoint),
                consenters: (document.profiles.compactMap(\.orderer) + [document.orderer].compactMap { $0 })
                    .first { !$0.consenterSpecs.isEmpty }?.consenterSpecs ?? []),
            channels: channels)
    }

    // MARK: organizations

    /// Drops orgs without Name or ID (already reported) and reports duplicate MSP IDs and names.
    func uniqueOrganizations(_ orgs: [ConfigTxOrganization]) -> [ConfigTxOrganization] {
        var byID: [String: ConfigTxOrganization] = [:]
        var byName: [String: ConfigTxOrganization] = [:]
        var result: [ConfigTxOrganization] = []
        for org in orgs {
            guard let id = org.id, let name = org.name else { continue }
            if let first = byID[id] {
                diagnostics.error("duplicate MSP ID '\(id)' (also used at \(first.location))", at: org.location, key: "\(org.path).ID",
                                  hint: "every organization needs its own ID")
                continue
            }
            if let first = byName[name] {
                diagnostics.error("duplicate organization Name '\(name)' (also used at \(first.location))", at: org.location, key: "\(org.path).Name",
                                  hint: "every organization needs its own Name")
                continue
            }
            byID[id] = org
            byName[name] = org
            result.append(org)
        }
        return result
    }

    /// Which orgs are application members and which are orderer orgs, from all sections and
    /// profiles. Reports references to orgs not under `Organizations`.
    func organizationUsage(_ document: ConfigTxDocument, orgs: [ConfigTxOrganization]) -> (application: Set<String>, orderer: Set<String>) {
        var application = Set<String>()
        var orderer = Set<String>()
        for reference in document.application?.organizations ?? [] {
            if let id = lookup(reference, in: orgs, context: "the Application section") { application.insert(id) }
        }
        for reference in document.orderer?.organizations ?? [] {
            if let id = lookup(reference, in: orgs, context: "the Orderer section") { orderer.insert(id) }
        }
        for profile in document.profiles {
            for reference in profile.application?.organizations ?? [] {
                if let id = lookup(reference, in: orgs, context: "profile \(profile.name)") { application.insert(id) }
            }
            for reference in profile.orderer?.organizations ?? [] {
                if let id = lookup(reference, in: orgs, context: "profile \(profile.name)") { orderer.insert(id) }
            }
        }
        return (application, orderer)
    }

    /// The MSP ID of the org a profile entry refers to (by ID, else by Name), or an error.
    func lookup(_ reference: OrganizationReference, in orgs: [ConfigTxOrganization], context: String) -> String? {
        if let id = reference.id, let org = orgs.first(where: { $0.id == id }) { return org.id }
        if let name = reference.name, let org = orgs.first(where: { $0.name == name || $0.id == name }) { return org.id }
        let known = orgs.compactMap(\.id).joined(separator: ", ")
        diagnostics.error("\(context) names organization '\(reference.label)', which is not defined under Organizations",
                          at: reference.location, key: reference.path,
                          hint: "define it under Organizations (with an anchor, - &Org …) and refer to it with *Org; known: \(known)")
        return nil
    }

    /// The crypto-config org describing the same org: same domain, else same name.
    func matchCrypto(_ org: ConfigTxOrganization, in cryptoOrgs: [CryptoConfigOrganization]) -> (Int?, CryptoConfigOrganization?) {
        let domain = org.domain?.value ?? inferredDomain(org.mspDir)
        if let domain, let index = cryptoOrgs.firstIndex(where: { $0.domain == domain }) { return (index, cryptoOrgs[index]) }
        let names = Set([org.name, org.id].compactMap { $0?.lowercased() }.flatMap { [$0, $0.replacingOccurrences(of: "msp", with: "")] })
        if domain == nil, let index = cryptoOrgs.firstIndex(where: { names.contains($0.name.lowercased()) }) { return (index, cryptoOrgs[index]) }
        return (nil, nil)
    }

    /// `…/peerOrganizations/<domain>/msp` → `<domain>`.
    func inferredDomain(_ mspDir: String?) -> String? {
        guard let mspDir else { return nil }
        let parts = mspDir.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts.last == "msp",
              ["peerOrganizations", "ordererOrganizations"].contains(parts[parts.count - 3]) else { return nil }
        return parts[parts.count - 2].lowercased()
    }

    // MARK: nodes

    func peers(of org: ConfigTxOrganization, mspID: String, domain: String, crypto: CryptoConfigOrganization?,
               orgIndex: Int, locations: inout [String: SourceLocation]) -> [NodeSpec] {
        var named: [(hostname: String, commonName: String, sans: [String], location: SourceLocation)]
        if let crypto {
            if org.peers != nil {
                diagnostics.warning("organization \(mspID) has both Peers and a crypto-config entry; the crypto-config entry wins",
                                    at: org.peers?.location, key: "\(org.path).Peers")
            }
            named = crypto.nodes.map { ($0.hostname, $0.commonName, $0.sans, $0.location) }
        } else {
            let template = org.peers ?? PeerTemplate(count: 1, start: 0, port: nil, location: org.location)
            let place = template.port?.location ?? template.location
            named = (template.start..<(template.start + template.count)).map {
                ("peer\($0)", "peer\($0).\(domain)", [], place)
            }
        }
        let anchorPorts = Dictionary(org.anchorPeers.map { ($0.value.host, $0.value.port) }, uniquingKeysWith: { first, _ in first })
        let base: Int
        if let port = org.peers?.port?.value {
            base = port
        } else if let anchor = org.anchorPeers.first, let index = named.firstIndex(where: { $0.commonName == anchor.value.host }) {
            base = anchor.value.port - index
        } else {
            base = 7051 + 2000 * orgIndex
        }
        return named.enumerated().map { index, node in
            locations[node.commonName] = node.location
            return NodeSpec(hostname: node.hostname, commonName: node.commonName, role: .peer, mspID: mspID,
                            port: anchorPorts[node.commonName] ?? base + index, extraSANs: node.sans)
        }
    }

    func orderers(of org: ConfigTxOrganization, mspID: String, domain: String, document: ConfigTxDocument,
                  crypto: CryptoConfigOrganization?, soleOrdererOrg: Bool, orgIndex: Int,
                  locations: inout [String: SourceLocation]) -> [NodeSpec] {
        let sections = [document.orderer].compactMap { $0 } + document.profiles.compactMap(\.orderer)
        let listed = org.ordererEndpoints + sections.flatMap(\.addresses) + sections.flatMap(\.consenters)
        var endpoints: [Located<Endpoint>] = org.ordererEndpoints
        if endpoints.isEmpty {
            endpoints = listed.filter { $0.value.host.hasSuffix(".\(domain)") }
            if endpoints.isEmpty, soleOrdererOrg { endpoints = listed }
        }
        var ports: [String: Int] = [:]
        for endpoint in listed where ports[endpoint.value.host] == nil { ports[endpoint.value.host] = endpoint.value.port }
        var named: [(hostname: String, commonName: String, sans: [String], location: SourceLocation)] = []
        if let crypto {
            named = crypto.nodes.map { ($0.hostname, $0.commonName, $0.sans, $0.location) }
        } else {
            var seen = Set<String>()
            for endpoint in endpoints where seen.insert(endpoint.value.host).inserted {
                let host = endpoint.value.host
                let short = host.hasSuffix(".\(domain)") ? String(host.dropLast(domain.count + 1)) : host
                named.append((short, host, [], endpoint.location))
            }
        }
        if named.isEmpty {
            diagnostics.error("orderer organization \(mspID) has no orderer node", at: org.location, key: org.path,
                              hint: "add OrdererEndpoints: [orderer.\(domain):7050]")
        }
        return named.enumerated().map { index, node in
            locations[node.commonName] = node.location
            return NodeSpec(hostname: node.hostname, commonName: node.commonName, role: .orderer, mspID: mspID,
                            port: ports[node.commonName] ?? 7050 + 2000 * orgIndex + index, extraSANs: node.sans)
        }
    }

    // MARK: checks

    func checkAnchors(_ org: ConfigTxOrganization, spec: OrganizationSpec) {
        var seen: [Endpoint: SourceLocation] = [:]
        for anchor in org.anchorPeers {
            if let first = seen[anchor.value] {
                diagnostics.error("duplicate host:port \(anchor.value) (also listed at \(first))", at: anchor.location, key: anchor.path,
                                  hint: "list each anchor peer once")
                continue
            }
            seen[anchor.value] = anchor.location
            guard spec.peers.contains(where: { $0.commonName == anchor.value.host }) else {
                let names = spec.peers.map(\.commonName).joined(separator: ", ")
                diagnostics.error("anchor peer \(anchor.value) is not a peer of \(spec.mspID) (its peers: \(names.isEmpty ? "none" : names))",
                                  at: anchor.location, key: anchor.path,
                                  hint: "name one of its peers, or add the peer (Peers: Count: N, or the org's crypto-config Specs/Template)")
                continue
            }
        }
        var endpoints: [Endpoint: SourceLocation] = [:]
        for endpoint in org.ordererEndpoints {
            if let first = endpoints[endpoint.value] {
                diagnostics.error("duplicate host:port \(endpoint.value) (also listed at \(first))", at: endpoint.location, key: endpoint.path,
                                  hint: "list each orderer endpoint once")
            }
            endpoints[endpoint.value] = endpoint.location
        }
    }

    func checkUniqueDomains(_ specs: [OrganizationSpec], orgs: [ConfigTxOrganization]) {
        var byDomain: [String: String] = [:]
        for spec in specs {
            if let other = byDomain[spec.domain] {
                let org = orgs.first { $0.id == spec.mspID }
                diagnostics.error("organizations \(other) and \(spec.mspID) share the domain \(spec.domain)", at: org?.location, key: org?.path,
                                  hint: "give each organization its own domain, e.g. org1.example.com and org2.example.com")
            }
            byDomain[spec.domain] = spec.mspID
        }
    }

    /// Every node binds 127.0.0.1, so two nodes may not share a port even under different names.
    func checkUniquePorts(_ specs: [OrganizationSpec], locations: [String: SourceLocation]) {
        var byPort: [Int: NodeSpec] = [:]
        for node in specs.flatMap(\.nodes) {
            if let other = byPort[node.port] {
                let what = other.commonName == node.commonName ? "duplicate host:port \(node.endpoint)" :
                    "duplicate port \(node.port): \(other.endpoint) and \(node.endpoint) would both listen on 127.0.0.1:\(node.port)"
                diagnostics.error(what, at: locations[node.commonName], key: node.commonName,
                                  hint: "give each node its own port (anchor peer Port, Peers.Port, OrdererEndpoints)")
            } else {
                byPort[node.port] = node
            }
        }
    }

    // MARK: channels

    func channels(_ document: ConfigTxDocument, specs: [OrganizationSpec], orgs: [ConfigTxOrganization]) -> [ChannelSpec] {
        var wanted = document.channels
        if wanted.isEmpty {
            guard let profile = document.profiles.first(where: { $0.application != nil }) else {
                diagnostics.error("no profile has an Application section, so there is no channel to create", at: document.location, key: "Profiles",
                                  hint: "add a profile with Orderer and Application sections, as in configtx/configtx.yaml")
                return []
            }
            wanted = [ConfigTxChannel(name: Self.defaultChannelName, profile: profile.name, location: profile.location, path: "Profiles.\(profile.name)")]
        }
        var result: [ChannelSpec] = []
        var names = Set<String>()
        for channel in wanted {
            guard ChannelName.isValid(channel.name) else {
                diagnostics.error("'\(channel.name)' is not a valid channel name", at: channel.location, key: "\(channel.path).Name",
                                  hint: "use lower-case letters, digits, '.' and '-', starting with a letter (at most 249 characters)")
                continue
            }
            guard names.insert(channel.name).inserted else {
                diagnostics.error("channel \(channel.name) is listed twice", at: channel.location, key: channel.path)
                continue
            }
            guard let profile = document.profiles.first(where: { $0.name == channel.profile }) else {
                let known = document.profiles.map(\.name).joined(separator: ", ")
                diagnostics.error("channel \(channel.name) names profile '\(channel.profile)', which is not under Profiles",
                                  at: channel.location, key: "\(channel.path).Profile", hint: "use one of: \(known)")
                continue
            }
            let members = (profile.application?.organizations ?? []).compactMap { reference in
                orgs.first { $0.id == reference.id || (reference.id == nil && ($0.name == reference.name || $0.id == reference.name)) }?.id
            }.filter { id in specs.contains { $0.mspID == id } }
            if members.isEmpty {
                diagnostics.error("channel \(channel.name): profile \(profile.name) lists no application organization",
                                  at: profile.location, key: "Profiles.\(profile.name).Application.Organizations",
                                  hint: "list the member orgs under Application.Organizations, e.g. - *Org1")
            }
            var ordererOrgs = (profile.orderer?.organizations ?? document.orderer?.organizations ?? []).compactMap { reference in
                orgs.first { $0.id == reference.id || (reference.id == nil && ($0.name == reference.name || $0.id == reference.name)) }?.id
            }
            if ordererOrgs.isEmpty { ordererOrgs = specs.filter { !$0.orderers.isEmpty }.map(\.mspID) }
            let section = profile.orderer
            let defaults = document.orderer
            let fabric = BatchParameters.fabricDefaults
            var batch = BatchParameters(
                batchTimeout: section?.batchTimeout ?? defaults?.batchTimeout ?? fabric.batchTimeout,
                maxMessageCount: section?.maxMessageCount ?? defaults?.maxMessageCount ?? fabric.maxMessageCount,
                absoluteMaxBytes: section?.absoluteMaxBytes ?? defaults?.absoluteMaxBytes ?? fabric.absoluteMaxBytes,
                preferredMaxBytes: section?.preferredMaxBytes ?? defaults?.preferredMaxBytes ?? fabric.preferredMaxBytes)
            if batch.preferredMaxBytes > batch.absoluteMaxBytes {
                diagnostics.error("channel \(channel.name): PreferredMaxBytes (\(ByteSize.format(batch.preferredMaxBytes))) is above AbsoluteMaxBytes (\(ByteSize.format(batch.absoluteMaxBytes)))",
                                  at: section?.location ?? profile.location, key: "Profiles.\(profile.name).Orderer.BatchSize",
                                  hint: "set both in the same BatchSize section, PreferredMaxBytes ≤ AbsoluteMaxBytes")
                batch.preferredMaxBytes = batch.absoluteMaxBytes
            }
            let capabilities = ChannelCapabilities(
                channel: profile.capabilities ?? [],
                orderer: profile.orderer?.capabilities ?? document.orderer?.capabilities ?? [],
                application: profile.application?.capabilities ?? document.application?.capabilities ?? [])
            result.append(ChannelSpec(name: channel.name, profile: profile.name, memberOrgs: members, ordererOrgs: ordererOrgs,
                                      batch: batch, capabilities: capabilities))
        }
        return result
    }
}
