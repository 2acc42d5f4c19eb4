import FabnetConfig

/// Finds an org of a network by what a user types: its MSP ID (`Org1MSP`), its configtx name,
/// its profile name (`org1`, `Org1`) or its domain (`org1.example.com`), in any case.
///
/// Guarantees: a name that matches no org is an error that lists every org (MSP ID and profile
/// name) and, when one is within two edits of what was typed, asks "did you mean" it; a match
/// is never a guess (exactly one org owns each of these names in a valid description).
public struct OrganizationLookup: Sendable {
    public let spec: NetworkSpec

    public init(spec: NetworkSpec) { self.spec = spec }

    /// The names `org` answers to, lower case.
    func names(of org: OrganizationSpec) -> [String] {
        let naming = ProfileNaming(spec: spec)
        return [org.mspID, org.name, org.domain, naming.fileStem(of: org)].map { $0.lowercased() }
    }

    public func find(_ query: String, in place: String) throws -> OrganizationSpec {
        let wanted = query.lowercased()
        if let org = spec.organizations.first(where: { names(of: $0).contains(wanted) }) { return org }
        let naming = ProfileNaming(spec: spec)
        let listed = spec.organizations.map { $0.peers.isEmpty ? $0.mspID : "\($0.mspID) (\(naming.fileStem(of: $0)))" }
        let closest = spec.organizations
            .map { org in (org, names(of: org).map { editDistance($0, wanted) }.min() ?? .max) }
            .min { $0.1 < $1.1 }
        let hint = closest.flatMap { $0.1 <= 2 ? "did you mean \($0.0.mspID)? " : nil } ?? ""
        throw OrchestratorError.state("no organization \(query) in the network of \(place); \(hint)the organizations are: \(listed.joined(separator: ", "))")
    }
}
