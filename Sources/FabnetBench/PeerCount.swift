import FabnetConfig

extension NetworkSpec {
    /// The same network with `count` peers in every org that runs peers: `peer0` … `peer<count-1>`
    /// named as the org's first peer is (`peer3.org1.example.com`), anchors unchanged. For
    /// benchmarks that grow a description without editing it.
    public func withPeers(perOrganization count: Int) -> NetworkSpec {
        var spec = self
        for index in spec.organizations.indices {
            guard let first = spec.organizations[index].peers.first, count > 0 else { continue }
            let domain = first.commonName.dropFirst(first.hostname.count)  // ".org1.example.com"
            spec.organizations[index].peers = (0..<count).map { number in
                if number < spec.organizations[index].peers.count { return spec.organizations[index].peers[number] }
                var peer = first
                peer.hostname = "peer\(number)"
                peer.commonName = "peer\(number)\(domain)"
                peer.port = first.port + 100 * number
                return peer
            }
        }
        return spec
    }
}
