import FabnetConfig
import FabnetModel
import Foundation

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

extension NetworkSpec {
    /// The same network with `count` peer orgs: orgs beyond those described are copies of the
    /// last peer org (`Org3MSP` on `org3.example.com`, …: its peers, users, anchor peers and
    /// policies, renamed), members of every channel that org is in. For benchmarks of bigger
    /// networks without a new description; fewer orgs than described changes nothing.
    public func withPeerOrganizations(_ count: Int) -> NetworkSpec {
        var spec = self
        guard let template = organizations.last(where: { !$0.peers.isEmpty }) else { return spec }
        let existing = organizations.filter { !$0.peers.isEmpty }.count
        guard count > existing else { return spec }
        for number in (existing + 1)...count {
            let mspID = "Org\(number)MSP", domain = "org\(number).example.com"
            let shift = 2000 * (number - existing)
            func renamed(_ text: String) -> String {
                text.replacingOccurrences(of: template.domain, with: domain).replacingOccurrences(of: template.mspID, with: mspID)
            }
            var org = template
            org.name = template.name == template.mspID ? mspID : "Org\(number)"
            org.mspID = mspID
            org.domain = domain
            org.mspDir = nil
            org.peers = template.peers.map { peer in
                var peer = peer
                peer.commonName = renamed(peer.commonName)
                peer.mspID = mspID
                peer.port += shift
                peer.extraSANs = peer.extraSANs.map(renamed)
                return peer
            }
            org.users = template.users.map { user in
                var user = user
                user.commonName = renamed(user.commonName)
                return user
            }
            org.anchorPeers = template.anchorPeers.compactMap { Endpoint(host: renamed($0.host), port: $0.port + shift) }
            org.policies = template.policies.mapValues { policy in
                var policy = policy
                policy.rule = renamed(policy.rule)
                return policy
            }
            spec.organizations.append(org)
            for index in spec.channels.indices where spec.channels[index].memberOrgs.contains(template.mspID) {
                spec.channels[index].memberOrgs.append(mspID)
            }
        }
        return spec
    }
}
