import FabricPolicy
import Foundation

/// Which endorsers to ask for one proposal, worked out before any is asked (pure).
///
/// A layout is a set of orgs, each with the number of its peers whose endorsements it needs;
/// layouts are in preference order, and the first one that can still be completed is pursued
/// (Fabric's gateway works from discovery's layouts the same way).
///
/// Guarantees of ``make(policy:channel:candidates:localMSPID:requestedOrganizations:maximumLag:)``,
/// deterministic for the same inputs:
/// - Only endorsers within `maximumLag` blocks of the highest known ledger height are planned.
/// - With `requestedOrganizations`, the single layout is exactly those orgs, one peer each (the
///   client owns the policy, as in Fabric); an org without an eligible peer is UNAVAILABLE.
/// - Otherwise every minimal set of orgs (one peer each) that satisfies the policy, smallest
///   first and those with the gateway's org before those without; so the gateway's own org
///   first, then as few others as the policy needs. Past 12 orgs, one layout grown greedily.
///   A policy needing several peers of one org gets the smallest counts found by removing
///   peers one at a time from all of them.
/// - No layout satisfies the policy: FAILED_PRECONDITION, saying who was available.
public struct EndorsementPlan: Sendable, Equatable {
    /// Orgs in the order their peers are asked, and how many peers of each.
    public struct Layout: Sendable, Hashable, CustomStringConvertible {
        public var required: [Requirement]
        public init(_ required: [Requirement]) { self.required = required }
        public var organizations: [String] { required.map(\.mspID) }
        public var description: String {
            required.map { $0.count == 1 ? $0.mspID : "\($0.count)×\($0.mspID)" }.joined(separator: " + ")
        }
    }

    public struct Requirement: Sendable, Hashable {
        public var mspID: String
        public var count: Int
        public init(_ mspID: String, _ count: Int = 1) {
            self.mspID = mspID
            self.count = count
        }
    }

    public var layouts: [Layout]
    /// The eligible endorsers of each org, in asking order.
    public var endorsers: [String: [EndorserCandidate]]

    public init(layouts: [Layout], endorsers: [String: [EndorserCandidate]]) {
        self.layouts = layouts
        self.endorsers = endorsers
    }

    /// Above this many orgs, layouts are grown greedily instead of enumerated.
    static let enumerationLimit = 12

    public static func make(policy: EndorsementPolicy, channel: PolicyEvaluator?, candidates: [EndorserCandidate],
                            localMSPID: String, requestedOrganizations: [String] = [], maximumLag: UInt64 = 0,
                            chaincode: String = "", channelID: String = "") throws(GatewayFailure) -> EndorsementPlan {
        let groups = candidates.eligibleByOrganization(maximumLag: maximumLag)
        if !requestedOrganizations.isEmpty {
            var seen = Set<String>()
            let orgs = requestedOrganizations.filter { seen.insert($0).inserted }
            let missing = orgs.filter { groups[$0, default: []].isEmpty }
            guard missing.isEmpty else {
                throw GatewayFailure(.unavailable, "failed to find any endorsing peers for org(s): \(missing.joined(separator: ", "))")
            }
            return EndorsementPlan(layouts: [Layout(orgs.map { Requirement($0) })], endorsers: groups)
        }
        let orgs = groups.keys.sorted { a, b in
            if (a == localMSPID) != (b == localMSPID) { return a == localMSPID }
            return a < b
        }
        func satisfied(_ layout: Layout) -> Bool {
            policy.isSatisfied(signers: signers(for: layout), channel: channel)
        }
        var layouts = orgs.count <= enumerationLimit
            ? minimalLayouts(of: orgs, satisfied: satisfied)
            : greedyLayout(of: orgs, satisfied: satisfied).map { [$0] } ?? []
        if layouts.isEmpty, let several = severalPerOrg(orgs: orgs, groups: groups, satisfied: satisfied) {
            layouts = [several]
        }
        guard !layouts.isEmpty else {
            let everyone = Layout(orgs.map { Requirement($0, groups[$0]!.count) })
            let why = policy.evaluate(signers: signers(for: everyone), channel: channel).explanation
            let available = orgs.isEmpty ? "none" : orgs.map { "\($0) (\(groups[$0]!.count))" }.joined(separator: ", ")
            let considered = groups.values.reduce(0) { $0 + $1.count }
            var lagging = ""
            if considered < candidates.count, let highest = candidates.map(\.ledgerHeight).max() {
                lagging = "; \(candidates.count - considered) more peer(s) were left out, being over \(maximumLag) block(s) behind the highest ledger height known, \(highest)"
            }
            throw GatewayFailure(.failedPrecondition, """
                no combination of the endorsing peers available on channel '\(channelID)' satisfies the endorsement \
                policy \(policy.text) of chaincode '\(chaincode)': peers by org: \(available)\(lagging); \(why)
                """)
        }
        return EndorsementPlan(layouts: layouts, endorsers: groups)
    }

    /// Distinct stand-in signers: `count` peers of each org of `layout`.
    static func signers(for layout: Layout) -> [PolicySigner] {
        layout.required.flatMap { requirement in
            (0..<requirement.count).map {
                PolicySigner(mspID: requirement.mspID, roles: [.member, .peer], identity: Data("\(requirement.mspID)#\($0)".utf8))
            }
        }
    }

    /// Every satisfying set of orgs (one peer each) with no satisfying proper subset, by size,
    /// then in the order of `orgs` (so those with its first org, the gateway's, come first).
    static func minimalLayouts(of orgs: [String], satisfied: (Layout) -> Bool) -> [Layout] {
        var found: [Set<String>] = []
        var layouts: [Layout] = []
        guard !orgs.isEmpty else { return [] }
        for size in 1...orgs.count {
            for combination in combinations(of: orgs.count, choosing: size) {
                let chosen = combination.map { orgs[$0] }
                let set = Set(chosen)
                if found.contains(where: { $0.isSubset(of: set) }) { continue }
                let layout = Layout(chosen.map { Requirement($0) })
                if satisfied(layout) {
                    found.append(set)
                    layouts.append(layout)
                }
            }
        }
        return layouts
    }

    /// Index combinations of `n` taken `k` at a time, in lexicographic order.
    static func combinations(of n: Int, choosing k: Int) -> [[Int]] {
        guard k > 0, k <= n else { return k == 0 ? [[]] : [] }
        var result: [[Int]] = []
        var current: [Int] = []
        func extend(from start: Int) {
            if current.count == k { result.append(current); return }
            let remaining = k - current.count
            guard start <= n - remaining else { return }
            for index in start...(n - remaining) {
                current.append(index)
                extend(from: index + 1)
                current.removeLast()
            }
        }
        extend(from: 0)
        return result
    }

    /// The orgs taken in order until the policy is satisfied, or nil.
    static func greedyLayout(of orgs: [String], satisfied: (Layout) -> Bool) -> Layout? {
        var layout = Layout([])
        for org in orgs {
            layout.required.append(Requirement(org))
            if satisfied(layout) { return layout }
        }
        return nil
    }

    /// For policies that need several peers of one org: every eligible peer, then one fewer of the
    /// last org at a time while the policy still holds; nil when even all of them do not satisfy it.
    static func severalPerOrg(orgs: [String], groups: [String: [EndorserCandidate]],
                              satisfied: (Layout) -> Bool) -> Layout? {
        var counts = orgs.map { groups[$0]!.count }
        func layout() -> Layout {
            Layout(zip(orgs, counts).filter { $0.1 > 0 }.map { Requirement($0.0, $0.1) })
        }
        guard !orgs.isEmpty, satisfied(layout()) else { return nil }
        for position in orgs.indices.reversed() {
            while counts[position] > 0 {
                counts[position] -= 1
                if !satisfied(layout()) { counts[position] += 1; break }
            }
        }
        return layout()
    }
}
