import Ledger

/// Whether the peers of a channel hold the same ledger, and if not, where each one departs:
/// what `fabnet check` decides once their heights settled.
///
/// Guarantees: the reference at each block is the value most of the peers holding it hold (ties:
/// the first such peer's, in the order given), so one damaged peer is named, not all the others;
/// a peer is named once, at its first departure (a block it lacks, a block's header, then its
/// validation flags, then, when every block agrees, the world state); peers that agree with
/// every reference are not named. With two peers that differ, the second is named (no majority).
public enum LedgerAgreement {
    /// One peer's ledger of the channel.
    public struct PeerLedger: Sendable {
        public let peer: String
        public let digest: LedgerDigest

        public init(peer: String, digest: LedgerDigest) {
            self.peer = peer
            self.digest = digest
        }
    }

    /// Where a peer departs from the others.
    public struct Divergence: Sendable, Equatable, Encodable, CustomStringConvertible {
        public let peer: String
        /// The first block that differs; nil when only the world state differs.
        public let block: UInt64?
        /// What differs: `block`, `validation flags`, `world state`, or `height`.
        public let what: String

        public var description: String {
            guard let block else { return "\(peer)'s world state differs from the other peers' (every block agrees)" }
            if what == "height" { return "\(peer) lacks block \(block), which the other peers hold" }
            return "\(peer) diverges at block \(block): its \(what) differs from the other peers'"
        }
    }

    public static func compare(_ ledgers: [PeerLedger]) -> [Divergence] {
        guard ledgers.count > 1 else { return [] }
        var divergences: [Divergence] = []
        var named = Set<String>()
        let longest = ledgers.map(\.digest.blocks.count).max() ?? 0
        for number in 0..<longest {
            // Only the peers still agreeing that hold this block vote on it; a peer that lacks a
            // block others hold is named for it (it cannot out-vote them).
            let holding = ledgers.filter { !named.contains($0.peer) && $0.digest.blocks.indices.contains(number) }
            for ledger in ledgers where !named.contains(ledger.peer) && !ledger.digest.blocks.indices.contains(number) {
                named.insert(ledger.peer)
                divergences.append(Divergence(peer: ledger.peer, block: UInt64(number), what: "height"))
            }
            let referenceHeader = majority(holding.map { $0.digest.blocks[number].header })
            for ledger in holding where ledger.digest.blocks[number].header != referenceHeader {
                named.insert(ledger.peer)
                divergences.append(Divergence(peer: ledger.peer, block: UInt64(number), what: "block"))
            }
            let agreeing = holding.filter { !named.contains($0.peer) }
            let referenceFlags = majority(agreeing.map { $0.digest.blocks[number].flags })
            for ledger in agreeing where ledger.digest.blocks[number].flags != referenceFlags {
                named.insert(ledger.peer)
                divergences.append(Divergence(peer: ledger.peer, block: UInt64(number), what: "validation flags"))
            }
        }
        let remaining = ledgers.filter { !named.contains($0.peer) }
        let referenceState = majority(remaining.map(\.digest.state))
        for ledger in remaining where ledger.digest.state != referenceState {
            divergences.append(Divergence(peer: ledger.peer, block: nil, what: "world state"))
        }
        return divergences
    }

    /// The most common value; ties go to the one seen first.
    public static func majority(_ values: [[UInt8]]) -> [UInt8] {
        var counts: [[UInt8]: Int] = [:]
        var best: (value: [UInt8], count: Int) = ([], 0)
        for value in values {
            counts[value, default: 0] += 1
            if counts[value]! > best.count { best = (value, counts[value]!) }
        }
        return best.value
    }
}
