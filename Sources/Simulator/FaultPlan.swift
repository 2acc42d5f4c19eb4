import FabnetModel

/// A schedule of faults for a simulation: crashes, restarts (with or without the ledger),
/// partitions and heals. `random` draws one from a seed; every plan ends healed with every
/// crashed peer restarted by `settledBy`, so the end-of-run invariants apply.
public struct FaultPlan: Sendable, Hashable {
    public var faults: [(fault: SimulatedNetwork.Fault, at: GossipTime)]

    public init(_ faults: [(fault: SimulatedNetwork.Fault, at: GossipTime)] = []) { self.faults = faults }

    public static func == (lhs: FaultPlan, rhs: FaultPlan) -> Bool {
        lhs.faults.count == rhs.faults.count && zip(lhs.faults, rhs.faults).allSatisfy { $0.fault == $1.fault && $0.at == $1.at }
    }

    public func hash(into hasher: inout Hasher) {
        for (fault, at) in faults { hasher.combine(fault); hasher.combine(at) }
    }

    /// `count` random faults among `peers` peers between `from` and `until`; crashed peers come
    /// back (half of them with an empty ledger) and partitions heal before `until`.
    public static func random(peers: Int, count: Int, from: GossipTime, until: GossipTime,
                              random: inout some RandomNumberGenerator) -> FaultPlan {
        var plan = FaultPlan()
        let span = (until - from).nanosecondsValue
        func time(_ low: Int64, _ high: Int64) -> GossipTime { from + .nanoseconds(Int64.random(in: low...high, using: &random)) }
        for _ in 0..<count {
            let start = time(0, span / 2)
            let end = start + .nanoseconds(Int64.random(in: span / 10...span / 2, using: &random))
            switch Int.random(in: 0..<3, using: &random) {
            case 0, 1:
                let peer = Int.random(in: 0..<peers, using: &random)
                plan.faults.append((.crash(peer), start))
                plan.faults.append((.restart(peer, keepLedger: Bool.random(using: &random)), end))
            default:
                var shuffled = Array(0..<peers)
                shuffled.shuffle(using: &random)
                let cut = Int.random(in: 1..<max(2, peers), using: &random)
                plan.faults.append((.partition([Array(shuffled[..<cut]).sorted(), Array(shuffled[cut...]).sorted()]), start))
                plan.faults.append((.heal, end))
            }
        }
        plan.faults.sort { $0.at < $1.at }
        return plan
    }

    /// Parses a fault list such as `crash:3@2s,restart:3@5s,restart-empty:4@6s,partition:0-3/4-7@3s,heal@4s`
    /// (`@` then seconds, `s` optional).
    public static func parse(_ text: String) throws -> FaultPlan {
        var plan = FaultPlan()
        for item in text.split(separator: ",").map({ String($0.filter { $0 != " " }) }) where !item.isEmpty {
            let parts = item.split(separator: "@", maxSplits: 1).map(String.init)
            guard parts.count == 2, let seconds = Double(parts[1].hasSuffix("s") ? String(parts[1].dropLast()) : parts[1]), seconds >= 0 else {
                throw FaultPlanError(item: item, reason: "expected WHAT@SECONDS, e.g. crash:3@2s")
            }
            let at = GossipTime.zero + .nanoseconds(Int64(seconds * 1e9))
            let what = parts[0].split(separator: ":", maxSplits: 1).map(String.init)
            let fault: SimulatedNetwork.Fault
            switch (what[0], what.count > 1 ? what[1] : nil) {
            case ("crash", let peer?): fault = .crash(try index(peer, item))
            case ("restart", let peer?): fault = .restart(try index(peer, item), keepLedger: true)
            case ("restart-empty", let peer?): fault = .restart(try index(peer, item), keepLedger: false)
            case ("partition", let groups?): fault = .partition(try groups.split(separator: "/").map { try range(String($0), item) })
            case ("heal", nil): fault = .heal
            default:
                throw FaultPlanError(item: item, reason: "unknown fault; use crash:N, restart:N, restart-empty:N, partition:A-B/C-D or heal")
            }
            plan.faults.append((fault, at))
        }
        plan.faults.sort { $0.at < $1.at }
        return plan
    }

    private static func index(_ text: String, _ item: String) throws -> Int {
        guard let value = Int(text), value >= 0 else { throw FaultPlanError(item: item, reason: "\(text) is not a peer index") }
        return value
    }

    private static func range(_ text: String, _ item: String) throws -> [Int] {
        var peers: [Int] = []
        for piece in text.split(separator: "+") {
            let bounds = piece.split(separator: "-").map(String.init)
            if bounds.count == 2 {
                let low = try index(bounds[0], item), high = try index(bounds[1], item)
                guard low <= high else { throw FaultPlanError(item: item, reason: "\(piece) is an empty range") }
                peers += Array(low...high)
            } else {
                peers.append(try index(String(piece), item))
            }
        }
        return peers
    }

    /// The largest peer index the plan names (to check it against the network).
    public var highestPeer: Int? {
        faults.flatMap { fault, _ -> [Int] in
            switch fault {
            case .crash(let peer), .restart(let peer, _): return [peer]
            case .partition(let groups): return groups.flatMap { $0 }
            case .heal: return []
            }
        }.max()
    }
}

/// A fault list that does not parse: which item, and why.
public struct FaultPlanError: Error, CustomStringConvertible {
    public let item: String
    public let reason: String
    public var description: String { "fault \"\(item)\": \(reason)" }
}

extension SimulatedNetwork {
    public mutating func schedule(_ plan: FaultPlan) {
        for (fault, at) in plan.faults { schedule(fault, at: at) }
    }
}
