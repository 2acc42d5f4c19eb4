import FabnetModel

/// The faults of one `fabnet bench chaos` run, drawn from a seed: which fault strikes which
/// nodes, when, and for how long.
///
/// Guarantees: the same seed, length, kinds and topology give the same schedule, fault for fault
/// (it draws only from `SeededGenerator`, with its own uniform helpers rather than the standard
/// library's unspecified algorithms); faults never overlap (each heals before the next strikes);
/// the first strikes after `warmUp` seconds and the last heals at the end of the run at the
/// latest, so the time the peers take to agree after the run is the time they take to recover
/// from a fault.
public struct ChaosSchedule: Sendable, Equatable {
    /// What a fault does.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        /// kill -9 the nodes, start them again when the fault heals.
        case kill
        /// SIGSTOP the nodes (a hung machine), SIGCONT when it heals.
        case pause
        /// Split the nodes into groups that reach only each other (`fabnet fault partition`).
        case partition
        /// kill -9 the orderer, start it again when the fault heals.
        case ordererRestart = "orderer-restart"
    }

    /// One fault.
    public struct Fault: Sendable, Codable, Equatable {
        public let kind: Kind
        /// The nodes struck: killed, paused or restarted; for a partition, the smaller side.
        public let nodes: [String]
        /// A partition's groups (each a list of node names); empty for other kinds.
        public let groups: [[String]]
        /// Orgs whose every peer is struck or cut off from the others.
        public let orgsCutOff: [String]
        /// Seconds after the clients start.
        public let at: Double
        /// Seconds until it heals.
        public let seconds: Double
        /// What it does, in words (orgs by MSP ID, nodes by short name).
        public let summary: String
    }

    /// The network's nodes the faults may strike.
    public struct Topology: Sendable {
        /// Each org's MSP ID with its peers' names.
        public let orgs: [(mspID: String, peers: [String])]
        public let orderer: String?

        public init(orgs: [(mspID: String, peers: [String])], orderer: String?) {
            self.orgs = orgs.filter { !$0.peers.isEmpty }
            self.orderer = orderer
        }

        var peers: [String] { orgs.flatMap(\.peers) }

        /// `names` in words: an org whose every peer is named by its MSP ID, the orderer as
        /// `orderer`, other nodes by their first two labels (peer0.org1).
        func describe(_ names: [String]) -> String {
            var left = names
            var parts: [String] = []
            for org in orgs where org.peers.count > 1 && Set(org.peers).isSubset(of: left) {
                parts.append(org.mspID)
                left.removeAll { org.peers.contains($0) }
            }
            parts += left.map { $0 == orderer ? "orderer" : $0.split(separator: ".").prefix(2).joined(separator: ".") }
            return parts.joined(separator: " + ")
        }
    }

    public let faults: [Fault]

    /// Seconds before the first fault, and the least a fault lasts.
    public static let warmUp = 3.0
    static let shortest = 1.0

    /// Draws the schedule of a run of `seconds` from `seed`, using only `kinds`.
    public init(seed: UInt64, seconds: Double, kinds: [Kind], topology: Topology) {
        var random = SeededGenerator(seed: seed)
        var faults: [Fault] = []
        var time = Self.warmUp
        let usable = kinds.filter { $0 != .ordererRestart || topology.orderer != nil }.filter { $0 != .partition || topology.peers.count > 1 || topology.orderer != nil }
        while !usable.isEmpty, !topology.peers.isEmpty {
            let kind = usable[random.index(usable.count)]
            var duration: Double
            switch kind {
            case .kill: duration = random.uniform(3, 8)
            case .pause: duration = random.uniform(2, 6)
            case .partition: duration = random.uniform(3, 8)
            case .ordererRestart: duration = random.uniform(1, 3)
            }
            guard time + Self.shortest <= seconds else { break }
            duration = min(duration, seconds - time)
            faults.append(Self.draw(kind, at: time, seconds: duration, topology: topology, random: &random))
            time += duration + random.uniform(2, 5)
        }
        self.faults = faults
    }

    /// One fault of `kind`: a single peer most often, a whole org or the orderer sometimes.
    static func draw(_ kind: Kind, at: Double, seconds: Double, topology: Topology, random: inout SeededGenerator) -> Fault {
        let org = topology.orgs[random.index(topology.orgs.count)]
        let peer = org.peers[random.index(org.peers.count)]
        let roll = random.uniform(0, 1)
        let everyone = topology.peers + (topology.orderer.map { [$0] } ?? [])
        func fault(_ nodes: [String], groups: [[String]] = [], orgs: [String] = []) -> Fault {
            let length = String(format: "%.1f s", seconds)
            let summary: String
            switch kind {
            case .kill: summary = "kill -9 \(topology.describe(nodes)) for \(length)"
            case .pause: summary = "pause \(topology.describe(nodes)) for \(length)"
            case .ordererRestart: summary = "kill -9 the orderer, start it after \(length)"
            case .partition: summary = "partition \(groups.map { topology.describe($0) }.joined(separator: " | ")) for \(length)"
            }
            return Fault(kind: kind, nodes: nodes, groups: groups, orgsCutOff: orgs, at: at, seconds: seconds, summary: summary)
        }
        switch kind {
        case .kill:
            return roll < 0.7 ? fault([peer], orgs: org.peers.count == 1 ? [org.mspID] : []) : fault(org.peers, orgs: [org.mspID])
        case .pause:
            if roll < 0.15, let orderer = topology.orderer { return fault([orderer]) }
            return roll < 0.7 ? fault([peer], orgs: org.peers.count == 1 ? [org.mspID] : []) : fault(org.peers, orgs: [org.mspID])
        case .ordererRestart:
            return fault([topology.orderer!])
        case .partition:
            if roll < 0.2, let orderer = topology.orderer {
                return fault([orderer], groups: [[orderer], topology.peers])
            }
            let side = roll < 0.6 ? [peer] : org.peers
            let rest = everyone.filter { !side.contains($0) }
            guard !rest.isEmpty else { return fault(side, groups: [side]) }
            return fault(side, groups: [side, rest], orgs: side.count == org.peers.count ? [org.mspID] : [])
        }
    }
}

extension SeededGenerator {
    /// A uniform value in [low, high), from the top 53 bits of the next draw.
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * 0x1p-53
    }

    /// A uniform index below `count` (count > 0).
    mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }
}
