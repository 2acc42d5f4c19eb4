import FabnetModel
import Foundation

/// Turns a parsed configtx document (and any crypto-config documents) into a `NetworkSpec`,
/// reporting every inconsistency to `diagnostics`. Returns `nil` only when nothing usable is left.
///
/// How the topology is found (documented in the README, "The network description"):
/// - an org's domain: its `Domain` key, else the `<domain>` of an `MSPDir` written in cryptogen's
///   layout (`…/peerOrganizations/<domain>/msp`), else the crypto-config org of the same name;
/// - its peers and anchor peers: see `peers(of:…)` (NetworkResolver+Peers.swift); an anchor
///   written as `127.0.0.1`/`localhost` with a port is resolved to the org's peer on that port;
/// - its orderers: see `orderers(of:…)` (NetworkResolver+Orderers.swift); loopback endpoints
///   name the org's orderers in order;
/// - ports: `PortPlan` keeps written ones (two equal is an error) and moves chosen ones that
///   would clash to the next free port;
/// - channels: see `channels(_:…)` (NetworkResolver+Channels.swift).
/// Several orderers, and a channel whose peer orgs have no anchor peers, are warnings
/// (NetworkResolver+Warnings.swift), never errors: fabric-samples' test networks load unchanged.
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
        var plans: [[PlannedNode]] = []
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
                peers: [], orderers: [], users: [], anchorPeers: [],
                ordererEndpoints: org.ordererEndpoints.map(\.value),
                policies: org.policies.isEmpty
                    ? PolicySpec.organizationDefaults(mspID: mspID, role: isApplication ? .peer : .orderer) : org.policies)
            var plan: [PlannedNode] = []
            if isOrderer {
                plan += orderers(of: org, mspID: mspID, domain: domain, document: document,
                                 crypto: crypto?.role == .orderer ? crypto : nil,
                                 soleOrdererOrg: usage.orderer.count <= 1, orgIndex: ordererOrgIndex)
                ordererOrgIndex += 1
            }
            if isApplication {
                let (peers, anchors) = peers(of: org, mspID: mspID, domain: domain, crypto: crypto?.role == .peer ? crypto : nil,
                                             orgIndex: peerOrgIndex)
                plan += peers
                spec.anchorPeers = anchors
                peerOrgIndex += 1
            }
            let userCount = crypto?.users ?? org.users ?? (isApplication ? 1 : 0)
            spec.users = [UserSpec(name: "Admin", commonName: "Admin@\(domain)", role: .admin)]
                + (isApplication || crypto != nil ? (0..<userCount).map {
                    UserSpec(name: "User\($0 + 1)", commonName: "User\($0 + 1)@\(domain)", role: .client)
                } : [])
            checkOrdererEndpoints(org)
            specs.append(spec)
            plans.append(plan)
        }
        for (index, crypto) in cryptoOrgs.enumerated() where !matchedCrypto.contains(index) {
            diagnostics.warning("crypto-config org \(crypto.name) (\(crypto.domain)) matches no organization of the configtx file and is ignored",
                                at: crypto.location, key: crypto.path,
                                hint: "give the configtx org the same domain (MSPDir …/\(crypto.domain)/msp or Domain: \(crypto.domain))")
        }
        PortPlan(diagnostics: diagnostics).settle(&plans)
        for index in specs.indices {
            specs[index].orderers = plans[index].map(\.node).filter { $0.role == .orderer }
            specs[index].peers = plans[index].map(\.node).filter { $0.role == .peer }
        }
        checkUniqueDomains(specs, orgs: orgs)
        if !specs.isEmpty, specs.allSatisfy({ $0.orderers.isEmpty }) {
            diagnostics.error("the network has no orderer", at: document.location, key: "Organizations",
                              hint: "give an orderer org OrdererEndpoints (e.g. - orderer.example.com:7050) and list it under a profile's Orderer.Organizations")
        }
        if !specs.isEmpty, specs.allSatisfy({ $0.peers.isEmpty }) {
            diagnostics.error("the network has no peer", at: document.location, key: "Organizations",
                              hint: "list a peer org under a profile's Application.Organizations")
        }
        warnSeveralOrderers(plans)
        let channels = self.channels(document, specs: specs, orgs: orgs)
        warnOrgsCannotFindEachOther(channels, specs: specs, orgs: orgs)
        let chaincodes = self.chaincodes(document, channels: channels)
        guard !specs.isEmpty else { return nil }
        let type = document.profiles.first { $0.orderer?.type != nil }?.orderer?.type ?? document.orderer?.type ?? "etcdraft"
        return NetworkSpec(
            source: source, organizations: specs,
            orderer: OrdererServiceSpec(
                type: type, endpoints: specs.flatMap(\.orderers).map(\.endpoint),
                consenters: (document.profiles.compactMap(\.orderer) + [document.orderer].compactMap { $0 })
                    .first { !$0.consenterSpecs.isEmpty }?.consenterSpecs ?? []),
            channels: channels, chaincodes: chaincodes)
    }

    /// fabnet's `Chaincodes` entries, checked: known channels, a HOST:PORT address or none (the chaincode dials in), names used once.
    func chaincodes(_ document: ConfigTxDocument, channels: [ChannelSpec]) -> [ChaincodeSpec] {
        var seen: Set<String> = []
        return document.chaincodes.compactMap { entry in
            let known = Set(channels.map(\.name))
            var ok = true
            for channel in entry.channels where !known.contains(channel) {
                diagnostics.error("chaincode \(entry.name) names channel '\(channel)', which the network does not create", at: entry.location,
                                  key: "\(entry.path).Channels", hint: "channels: \(known.sorted().joined(separator: ", "))")
                ok = false
            }
            if entry.address.isEmpty, entry.tlsRootCert != nil {
                diagnostics.error("chaincode \(entry.name) has a TLSRootCert but no Address", at: entry.location, key: "\(entry.path).TLSRootCert",
                                  hint: "give the Address its server listens on, or drop TLSRootCert: a chaincode without Address dials the peers")
                ok = false
            }
            if !entry.address.isEmpty, Endpoint(parsing: entry.address) == nil {
                diagnostics.error("chaincode \(entry.name): '\(entry.address)' is not HOST:PORT", at: entry.location, key: "\(entry.path).Address",
                                  hint: "where its server listens, e.g. 127.0.0.1:9999")
                ok = false
            }
            if !seen.insert(entry.name).inserted {
                diagnostics.error("chaincode \(entry.name) is listed twice", at: entry.location, key: "\(entry.path).Name", hint: "list each chaincode once with all its channels")
                ok = false
            }
            guard ok else { return nil }
            return ChaincodeSpec(name: entry.name, address: entry.address, channels: entry.channels, version: entry.version,
                                 policy: entry.policy, id: entry.id, tlsRootCert: entry.tlsRootCert)
        }
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

    // MARK: checks

    func checkOrdererEndpoints(_ org: ConfigTxOrganization) {
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
}
