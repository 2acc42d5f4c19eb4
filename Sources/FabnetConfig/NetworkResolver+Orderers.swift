import FabnetModel

/// An orderer org's ordering nodes and their ports.
///
/// Nodes: the matching crypto-config org's Specs and Template; else one per host of the org's
/// `OrdererEndpoints`, else of the `Addresses`, raft `Consenters` and BFT `ConsenterMapping`
/// entries under its domain (all of them when it is the only orderer org). Endpoints written as
/// a loopback address (`127.0.0.1:6050`, `127.0.0.1:6051`, … as test-network-nano-bash writes
/// them) name the org's orderers in order; without a crypto-config org they are named as
/// cryptogen's test files name them: `orderer`, `orderer2`, `orderer3`, … of the org's domain.
///
/// Ports: the port written for the node's host, else the next loopback endpoint's port, else
/// counted on from the org's first orderer with a written port, else `7050 + 2000 × (index of
/// the org among orderer orgs) + index`.
extension NetworkResolver {
    func orderers(of org: ConfigTxOrganization, mspID: String, domain: String, document: ConfigTxDocument,
                  crypto: CryptoConfigOrganization?, soleOrdererOrg: Bool, orgIndex: Int) -> [PlannedNode] {
        let sections = [document.orderer].compactMap { $0 } + document.profiles.compactMap(\.orderer)
        let listed = org.ordererEndpoints + sections.flatMap(\.addresses) + sections.flatMap(\.consenters)
        var endpoints: [Located<Endpoint>] = org.ordererEndpoints
        if endpoints.isEmpty {
            endpoints = listed.filter { $0.value.host.hasSuffix(".\(domain)") }
            if endpoints.isEmpty, soleOrdererOrg { endpoints = listed }
        }
        var byHost: [String: Located<Endpoint>] = [:]
        for endpoint in listed where byHost[endpoint.value.host] == nil && !Self.isLoopback(endpoint.value.host) {
            byHost[endpoint.value.host] = endpoint
        }
        var loopback: [Located<Endpoint>] = []
        for endpoint in endpoints where Self.isLoopback(endpoint.value.host) && !loopback.contains(where: { $0.value.port == endpoint.value.port }) {
            loopback.append(endpoint)
        }
        let named = crypto.map { crypto in
            crypto.nodes.map { NamedNode(hostname: $0.hostname, commonName: $0.commonName, sans: $0.sans, location: $0.location, path: $0.path) }
        } ?? ordererNames(endpoints, loopback: loopback, domain: domain)
        if named.isEmpty {
            diagnostics.error("orderer organization \(mspID) has no orderer node", at: org.location, key: org.path,
                              hint: "add OrdererEndpoints: [orderer.\(domain):7050]")
        }
        var nextLoopback = loopback.makeIterator()
        let written: [Located<Endpoint>?] = named.map { byHost[$0.commonName] ?? nextLoopback.next() }
        let first = written.indices.first { written[$0] != nil }
        let base = first.map { written[$0]!.value.port - $0 } ?? 7050 + 2000 * orgIndex
        return named.enumerated().map { index, name in
            let port = written[index]?.value.port ?? base + index
            let place = written[index].map { ($0.location, $0.path) } ?? (name.location, name.path)
            return PlannedNode(
                node: NodeSpec(hostname: name.hostname, commonName: name.commonName, role: .orderer, mspID: mspID, port: port, extraSANs: name.sans),
                portIsWritten: written[index] != nil, location: place.0, path: place.1)
        }
    }

    /// Orderers named by endpoints: one per host, then one per loopback endpoint.
    func ordererNames(_ endpoints: [Located<Endpoint>], loopback: [Located<Endpoint>], domain: String) -> [NamedNode] {
        var named: [NamedNode] = []
        for endpoint in endpoints where !Self.isLoopback(endpoint.value.host) && !named.contains(where: { $0.commonName == endpoint.value.host }) {
            let host = endpoint.value.host
            let short = host.hasSuffix(".\(domain)") ? String(host.dropLast(domain.count + 1)) : host
            named.append(NamedNode(hostname: short, commonName: host, sans: [], location: endpoint.location, path: endpoint.path))
        }
        var number = 1
        for endpoint in loopback {
            var short: String
            repeat {
                short = number == 1 ? "orderer" : "orderer\(number)"
                number += 1
            } while named.contains { $0.hostname == short || $0.commonName == "\(short).\(domain)" }
            named.append(NamedNode(hostname: short, commonName: "\(short).\(domain)", sans: [], location: endpoint.location, path: endpoint.path))
        }
        return named
    }
}
