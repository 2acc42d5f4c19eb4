import FabnetConfig

/// The peers a starting peer introduces itself to: the ones `writeHomes` names as bootstrap and
/// anchor peers, which `spawn` starts before the others.
///
/// Guarantees: derived from the description alone (no state read); an anchor peer the
/// description names but does not define is left out, as `writeHomes` leaves it out.
extension NetworkLauncher {
    /// The peers `org`'s anchor peers name (host and port as the description gives them).
    func anchorPeers(of org: OrganizationSpec) -> [NodeSpec] {
        org.anchorPeers.compactMap { anchor in
            let named = spec.peers.filter { $0.commonName == anchor.host || $0.hostname == anchor.host }
            return named.first(where: { $0.port == anchor.port }) ?? named.first
        }
    }

    /// The peers others introduce themselves to at start: each org's first peer (every other
    /// peer's bootstrap, `writeHomes`) and the anchor peers.
    func contactPeers() -> Set<String> {
        Set(spec.organizations.flatMap { org in (org.peers.prefix(1) + anchorPeers(of: org)).map(\.commonName) })
    }
}
