import FabnetModel

/// Warnings about descriptions that load but do not run as their author may expect: more
/// orderers than fabnet runs, and channels whose orgs cannot find each other. Neither is an
/// error: the fabric-samples test networks are written that way and must load unchanged.
extension NetworkResolver {
    /// fabnet runs one ordering node, the first; a description with more (a raft or BFT cluster,
    /// as test-network and test-network-nano-bash write) gets material for all of them, and this
    /// warning, placed where the second orderer is described.
    func warnSeveralOrderers(_ plans: [[PlannedNode]]) {
        let orderers = plans.flatMap { $0.filter { $0.node.role == .orderer } }
        guard let first = orderers.first, orderers.count > 1 else { return }
        let others = orderers.dropFirst().map(\.node.commonName).joined(separator: ", ")
        let name = first.node.commonName
        diagnostics.warning("several orderers (\(others)): fabnet runs the first, \(name); a consenter cluster is not built yet",
                            at: orderers[1].location, key: orderers[1].path,
                            hint: "nothing to do to run it: peers and clients use \(name), and crypto material is made for every orderer; describe one orderer to silence this")
    }

    /// A channel with several peer orgs of which none has anchor peers: each peer learns only its
    /// own org's peers (from its bootstrap list), so the orgs never meet, which Fabric allows.
    /// One org with anchors is enough for all to meet (the others dial its anchors), so this is
    /// only when none has any. Placed at the first member org, where AnchorPeers would go.
    func warnOrgsCannotFindEachOther(_ channels: [ChannelSpec], specs: [OrganizationSpec], orgs: [ConfigTxOrganization]) {
        for channel in channels {
            let members = channel.memberOrgs.compactMap { id in specs.first { $0.mspID == id && !$0.peers.isEmpty } }
            guard members.count > 1, members.allSatisfy({ $0.anchorPeers.isEmpty }), let peer = members[0].peers.first else { continue }
            let org = orgs.first { $0.id == members[0].mspID }
            let names = members.map(\.mspID).joined(separator: ", ")
            diagnostics.warning("channel \(channel.name): none of its peer orgs (\(names)) has AnchorPeers, so their peers cannot find each other across orgs: each peer sees only its own org's peers (as Fabric's rules allow)",
                                at: org?.location, key: org.map { "\($0.path).AnchorPeers" },
                                hint: "add AnchorPeers under each org, e.g. AnchorPeers: [{Host: \(peer.commonName), Port: \(peer.port)}]")
        }
    }
}
