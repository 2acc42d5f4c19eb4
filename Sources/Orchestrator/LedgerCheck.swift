import FabnetWire
import Foundation
import Ledger

/// The comparison behind `fabnet check` and `fabnet bench chaos`: waits until every running peer
/// of a channel reaches one height (the orderer's when it answers), then compares their digests.
///
/// Guarantees: compares only digests of one and the same height (a block cut meanwhile means
/// settling again, so no false divergence comes of it); every peer given is asked each time, and
/// one that does not answer within `answerSeconds` (paused, hung, exited since) keeps the channel
/// unsettled; every request is bounded (a digest, which reads the whole ledger, by
/// `digestSeconds`), so the check ends soon after its deadline with a report or `Unsettled`
/// naming every peer's height.
public struct LedgerCheck: Sendable {
    public let clients: NodeClients
    public let state: NetworkState
    /// The longest one node's answer (status, height, digest) is waited for.
    public var answerSeconds: Double = 5
    /// The longest a ledger digest is waited for.
    public var digestSeconds: Double = 60

    public init(clients: NodeClients, state: NetworkState) {
        self.clients = clients
        self.state = state
    }

    /// `request`'s answer, or nil when it fails or takes longer than `answerSeconds`.
    private func bounded<T: Sendable>(seconds: Double? = nil, _ request: @escaping @Sendable () async throws -> T) async -> T? {
        try? await withDeadline(seconds: seconds ?? answerSeconds, "an answer", request)
    }

    /// One channel's verdict: who was compared at which height, and who departs where.
    public struct ChannelReport: Encodable, Sendable {
        public let channel: String
        public let height: UInt64
        public let peers: [String]
        /// Hex of the world-state digest most peers hold.
        public let stateDigest: String
        public let divergences: [LedgerAgreement.Divergence]
        /// True when the orderer did not answer and the height is the one the peers settled on.
        public let withoutOrderer: Bool
    }

    /// Heights that did not settle: names every peer's height and the ones that did not answer.
    public struct Unsettled: Error, CustomStringConvertible {
        public let channel: String
        public let heights: [String: UInt64]
        public let unanswered: [String]
        public let target: UInt64
        public let timeout: Double
        public var description: String {
            let list = (heights.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + unanswered.map { "\($0) not answering" })
                .joined(separator: ", ")
            return "the heights of \(channel) did not settle within \(timeout) s (orderer \(target == 0 ? "not answering" : String(target)); \(list)); look at the lagging peers' logs (`fabnet logs NAME`) or wait longer with --timeout"
        }
    }

    /// A peer answered that it could not digest its ledger (it refused, e.g. a channel it halted):
    /// names the peer and its reason, and where to look.
    public struct DigestFailed: Error, CustomStringConvertible {
        public let peer: String
        public let channel: String
        public let info: String
        public var description: String { "\(peer) could not digest \(channel): \(info); see its log (`fabnet logs \(peer)`)" }
    }

    /// Compares `channel` on `peers` once their heights settle, polling every `poll`; nil when no
    /// running peer joined it. `timeout` only names the limit in `Unsettled`.
    public func check(_ channel: String, peers: [NetworkState.Node], deadline: ContinuousClock.Instant, timeout: Double,
                      poll: Duration = .milliseconds(200)) async throws -> ChannelReport? {
        var previous: [String: UInt64] = [:]
        while true {
            // The orderer's height is the goal; without an answer from it, heights that agree and
            // did not change since the last poll.
            var target: UInt64?
            if let orderer = clients.orderer, state.isRunning(orderer) {
                let clients = clients
                target = await bounded { try await clients.client(of: orderer).admin(.listChannels(WireListChannels())) }?
                    .channels.first(where: { $0.name == channel })?.height
            }
            var heights: [String: UInt64] = [:]
            var members: [NetworkState.Node] = []
            var unanswered: [String] = []
            let clients = clients
            for peer in peers {
                guard state.isRunning(peer), let status = await bounded({ try await clients.status(of: peer) }) else {
                    unanswered.append(peer.name)
                    continue
                }
                guard let joined = status.peerChannels.first(where: { $0.name == channel }) else { continue }
                heights[peer.name] = joined.height
                members.append(peer)
            }
            if members.isEmpty, unanswered.isEmpty { return nil }
            let settledHeight = heights.values.first
            let agree = unanswered.isEmpty && !heights.isEmpty && heights.values.allSatisfy { $0 == settledHeight }
                && (target.map { $0 == settledHeight } ?? (heights == previous))
            if agree, let height = settledHeight {
                var ledgers: [LedgerAgreement.PeerLedger] = []
                for peer in members {
                    // No answer in time: not settled yet (polled again below).
                    guard let response = await bounded(seconds: digestSeconds, { try await clients.client(of: peer).admin(.ledgerDigest(.with { $0.channel = channel })) }) else { break }
                    guard response.status == .success else { throw DigestFailed(peer: peer.name, channel: channel, info: response.info) }
                    let digest = LedgerDigest(blocks: response.blockDigests.map { .init(header: [UInt8]($0.headerHash), flags: [UInt8]($0.flagsHash)) },
                                              state: [UInt8](response.stateDigest))
                    ledgers.append(.init(peer: peer.name, digest: digest))
                }
                if ledgers.count == members.count, ledgers.allSatisfy({ UInt64($0.digest.blocks.count) == height }) {
                    let reference = LedgerAgreement.majority(ledgers.map(\.digest.state))
                    return ChannelReport(channel: channel, height: height, peers: members.map(\.name),
                                         stateDigest: reference.map { String(format: "%02x", $0) }.joined(),
                                         divergences: LedgerAgreement.compare(ledgers), withoutOrderer: target == nil)
                }
            }
            previous = heights
            guard ContinuousClock.now < deadline else {
                throw Unsettled(channel: channel, heights: heights, unanswered: unanswered, target: target ?? 0, timeout: timeout)
            }
            try await Task.sleep(for: poll)  // a poll interval: the heights are the condition
        }
    }
}
