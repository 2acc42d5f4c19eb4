import FabnetModel

/// A node as the description names it, before its port is known: from a crypto-config Spec or
/// Template, fabnet's `Peers` key, or an orderer endpoint.
struct NamedNode {
    var hostname: String
    var commonName: String
    var sans: [String]
    var location: SourceLocation
    var path: String
}

/// An org's peers and the anchor peers among them.
///
/// Ports: an anchor peer's port for the peer it names; else `Peers.Port + index`; else counted
/// on from the org's first anchor peer; else `7051 + 2000 × (index of the org among peer orgs)`.
///
/// Anchor peers: one written with a peer's name names that peer. One written as a loopback
/// address (`127.0.0.1`, `localhost`, as test-network-nano-bash writes them) with a port names
/// the peer whose port that is; when nothing else gives the org's ports (no `Peers.Port`, no
/// named anchor), loopback anchors name the org's peers in order (the first anchor peer0, the
/// next peer1, …), each peer taking its anchor's port. The resolved anchors keep named ones as
/// written and turn a loopback one into `<peer common name>:<port>`, so the rest of fabnet
/// never sees a loopback anchor.
extension NetworkResolver {
    func peers(of org: ConfigTxOrganization, mspID: String, domain: String, crypto: CryptoConfigOrganization?,
               orgIndex: Int) -> (nodes: [PlannedNode], anchors: [Endpoint]) {
        let named = peerNames(of: org, mspID: mspID, domain: domain, crypto: crypto)
        var written: [Int: Located<Endpoint>] = [:]
        var anchors: [Endpoint?] = []
        var loopback: [(order: Int, anchor: Located<Endpoint>)] = []
        var firstNamed: (index: Int, port: Int)?
        var seen: [Endpoint: SourceLocation] = [:]
        for anchor in org.anchorPeers {
            if let first = seen[anchor.value] {
                diagnostics.error("duplicate host:port \(anchor.value) (also listed at \(first))", at: anchor.location, key: anchor.path,
                                  hint: "list each anchor peer once")
                continue
            }
            seen[anchor.value] = anchor.location
            if Self.isLoopback(anchor.value.host) {
                loopback.append((anchors.count, anchor))
                anchors.append(nil)
                continue
            }
            guard let index = named.firstIndex(where: { $0.commonName == anchor.value.host }) else {
                let names = named.map(\.commonName).joined(separator: ", ")
                diagnostics.error("anchor peer \(anchor.value) is not a peer of \(mspID) (its peers: \(names.isEmpty ? "none" : names))",
                                  at: anchor.location, key: anchor.path,
                                  hint: "name one of its peers, or add the peer (Peers: Count: N, or the org's crypto-config Specs/Template)")
                continue
            }
            if written[index] == nil { written[index] = anchor }
            if firstNamed == nil { firstNamed = (index, anchor.value.port) }
            anchors.append(anchor.value)
        }
        let template = org.peers?.port?.value
        let base: Int
        let inOrder: Bool
        if let template {
            (base, inOrder) = (template, false)
        } else if let firstNamed {
            (base, inOrder) = (firstNamed.port - firstNamed.index, false)
        } else if let first = loopback.first {
            (base, inOrder) = (first.anchor.value.port, true)
        } else {
            (base, inOrder) = (7051 + 2000 * orgIndex, false)
        }
        for (order, anchor) in loopback {
            let index = inOrder
                ? named.indices.first { written[$0] == nil }
                : named.indices.first { (written[$0]?.value.port ?? base + $0) == anchor.value.port }
            guard let index else {
                reportUnnamedLoopbackAnchor(anchor, mspID: mspID, named: named, ports: { written[$0]?.value.port ?? base + $0 }, inOrder: inOrder)
                continue
            }
            if written[index] == nil { written[index] = anchor }
            anchors[order] = Endpoint(host: named[index].commonName, port: anchor.value.port)
        }
        let nodes = named.enumerated().map { index, name in
            let port = written[index]?.value.port ?? base + index
            let isWritten = (written[index] != nil || template != nil) && Endpoint.validPorts.contains(port)
            let place = written[index].map { ($0.location, $0.path) } ?? (name.location, name.path)
            return PlannedNode(
                node: NodeSpec(hostname: name.hostname, commonName: name.commonName, role: .peer, mspID: mspID, port: port, extraSANs: name.sans),
                portIsWritten: isWritten, location: place.0, path: place.1)
        }
        var unique: [Endpoint] = []
        for anchor in anchors.compactMap({ $0 }) where !unique.contains(anchor) { unique.append(anchor) }
        return (nodes, unique)
    }

    /// The org's peers by name: its crypto-config org's Specs and Template, else `Peers`, else `peer0`.
    func peerNames(of org: ConfigTxOrganization, mspID: String, domain: String, crypto: CryptoConfigOrganization?) -> [NamedNode] {
        if let crypto {
            if org.peers != nil {
                diagnostics.warning("organization \(mspID) has both Peers and a crypto-config entry; the crypto-config entry wins",
                                    at: org.peers?.location, key: "\(org.path).Peers")
            }
            return crypto.nodes.map { NamedNode(hostname: $0.hostname, commonName: $0.commonName, sans: $0.sans, location: $0.location, path: $0.path) }
        }
        let template = org.peers ?? PeerTemplate(count: 1, start: 0, port: nil, location: org.location)
        let place = template.port?.location ?? template.location
        let path = template.port?.path ?? (org.peers == nil ? org.path : "\(org.path).Peers")
        return (template.start..<(template.start + template.count)).map {
            NamedNode(hostname: "peer\($0)", commonName: "peer\($0).\(domain)", sans: [], location: place, path: path)
        }
    }

    func reportUnnamedLoopbackAnchor(_ anchor: Located<Endpoint>, mspID: String, named: [NamedNode], ports: (Int) -> Int, inOrder: Bool) {
        if inOrder {
            diagnostics.error("anchor peer \(anchor.value) names no peer of \(mspID): loopback anchors name the org's peers in order, and all \(named.count) of its peers are named by the anchors before it",
                              at: anchor.location, key: anchor.path,
                              hint: "list at most one anchor per peer, or add a peer (Peers: Count: N, or the org's crypto-config Specs/Template)")
            return
        }
        let peers = named.indices.map { "\(named[$0].commonName):\(ports($0))" }.joined(separator: ", ")
        let example = named.first.map { "Host: \($0.commonName), Port: \(ports(0))" } ?? "Host: peer0.<domain>, Port: 7051"
        diagnostics.error("anchor peer \(anchor.value) is not a peer of \(mspID): none of its peers is on port \(anchor.value.port) (its peers: \(peers.isEmpty ? "none" : peers))",
                          at: anchor.location, key: anchor.path,
                          hint: "write the port of one of its peers, or name the peer (\(example))")
    }

    /// A host that means this machine: `localhost`, `::1`, or an IPv4 address `127.x.y.z`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
