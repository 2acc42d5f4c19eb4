import CoreMetrics
import FabricWire
import GossipCore
import OperationsEndpoint
import Synchronization

/// What a peer measures, declared once as swift-metrics instruments on the node's registry:
/// blocks by how they arrived, commits, gossip traffic, leadership, and per channel Fabric's
/// `ledger_blockchain_height`, `gossip_state_height` and `gossip_leader_election_leader` (so
/// Fabric's dashboards work) beside the `fabnet_*` series the benchmarks read.
///
/// Guarantees: every instrument is safe to update from any thread (the codec and `PeerConnections`
/// update theirs off the peer actor); a channel's series exist from the first time it is named.
struct PeerMetrics: Sendable {
    let node: NodeMetrics
    let fromOrderer: Counter
    /// Blocks from the orderer refused (bad orderer signature or data hash).
    let refusedFromOrderer: Counter
    let byPush: Counter
    let byPull: Counter
    let byStateTransfer: Counter
    let committed: Counter
    let commitFailures: Counter
    let commitDuration: Timer
    let bytesFromOrderer: Counter
    let bytesReceived: Counter
    /// Received messages by kind (`GossipMessage.kind`), made once.
    let messagesReceived: [String: Counter]
    /// Received bytes by kind (the frames' sizes).
    let bytesReceivedByKind: [String: Counter]
    let leaderChanges: Counter
    let membersAlive: Gauge
    /// Members this peer declared dead (read off the core at each scrape).
    let declaredDead: Counter
    /// SWIM: members this peer suspected, suspicions of itself it refuted (read off the core).
    let suspicions: Counter
    let refutations: Counter
    /// Stalls of the peer itself: its SWIM timers fired late (`Membership+SwimStall.swift`).
    let stalls: Counter
    let fabricMembersAlive: Gauge
    /// Updated by the codec: blocks that arrived again, entries dropped for a bad signature.
    let duplicates: Counter
    let refused: Counter
    /// Messages the core dropped for what they claim (its `dropped` effects: another org's block,
    /// a channel this peer or the sender's org is not in, …): signed correctly, not for this peer.
    let ignored: Counter
    /// `fabnet fault`'s figures.
    let faults: FaultMetrics
    /// Updated by the connection table: bytes of frames sent, messages dropped before sending.
    let sentBytes: Counter
    let dropped: Counter
    /// `ledger_transaction_count` series made so far, by channel and labels.
    private let transactionCounters = TransactionCounters()

    init(_ node: NodeMetrics) {
        self.node = node
        fromOrderer = node.counter("fabnet_blocks_received_total", [("via", "orderer")])
        refusedFromOrderer = node.counter("fabnet_blocks_refused_total", [("via", "orderer")])
        byPush = node.counter("fabnet_blocks_received_total", [("via", "push")])
        byPull = node.counter("fabnet_blocks_received_total", [("via", "pull")])
        byStateTransfer = node.counter("fabnet_blocks_received_total", [("via", "state_transfer")])
        committed = node.counter("fabnet_blocks_committed_total")
        commitFailures = node.counter("fabnet_ledger_commit_failures_total")
        commitDuration = node.timer("fabnet_ledger_commit_seconds")
        bytesFromOrderer = node.counter("fabnet_deliver_received_bytes_total")
        bytesReceived = node.counter("fabnet_gossip_received_bytes_total")
        messagesReceived = Dictionary(uniqueKeysWithValues: GossipMessage.kinds.map {
            ($0, node.counter("fabnet_gossip_received_messages_total", [("kind", $0)]))
        })
        bytesReceivedByKind = Dictionary(uniqueKeysWithValues: GossipMessage.kinds.map {
            ($0, node.counter("fabnet_gossip_received_bytes_by_kind_total", [("kind", $0)]))
        })
        leaderChanges = node.counter("fabnet_gossip_leader_changes_total")
        membersAlive = node.gauge("fabnet_gossip_membership_total_peers_known")
        declaredDead = node.counter("fabnet_membership_declared_dead_total")
        suspicions = node.counter("fabnet_membership_suspicions_total")
        refutations = node.counter("fabnet_membership_refutations_total")
        stalls = node.counter("fabnet_membership_stalls_total")
        fabricMembersAlive = node.gauge("gossip_membership_total_peers_known")
        duplicates = node.counter("fabnet_blocks_duplicate_total")
        refused = node.counter("fabnet_gossip_refused_total")
        ignored = node.counter("fabnet_gossip_ignored_total")
        sentBytes = node.counter("fabnet_gossip_sent_bytes_total")
        dropped = node.counter("fabnet_gossip_dropped_total")
        faults = FaultMetrics(node)
    }

    /// Counts a received gossip message: by kind, bytes, and blocks by how they came.
    func count(_ message: GossipMessage, bytes: Int) {
        messagesReceived[message.kind]?.increment()
        bytesReceivedByKind[message.kind]?.increment(by: bytes)
        bytesReceived.increment(by: bytes)
        guard case .channel(_, let inner) = message else { return }
        switch inner {
        case .block: byPush.increment()
        case .pull(.update(_, let blocks)): byPull.increment(by: blocks.count)
        case .stateResponse(_, let blocks): byStateTransfer.increment(by: blocks.count)
        default: break
        }
    }

    /// One channel's gauges (Fabric's names and fabnet's).
    struct Channel: Sendable {
        let ledgerHeight: Gauge
        let fabricLedgerHeight: Gauge
        let stateHeight: Gauge
        let leader: Gauge
        let fabricLeader: Gauge

        init(_ node: NodeMetrics, channel: String) {
            ledgerHeight = node.gauge("fabnet_ledger_height", [("channel", channel)])
            fabricLedgerHeight = node.gauge("ledger_blockchain_height", [("channel", channel)])
            stateHeight = node.gauge("gossip_state_height", [("channel", channel)])
            leader = node.gauge("fabnet_gossip_leader", [("channel", channel)])
            fabricLeader = node.gauge("gossip_leader_election_leader", [("channel", channel)])
        }

        func setHeight(_ height: UInt64) {
            ledgerHeight.record(Int64(height))
            fabricLedgerHeight.record(Int64(height))
            stateHeight.record(Int64(height))
        }

        func setLeader(_ leading: Bool) {
            leader.record(leading ? 1 : 0)
            fabricLeader.record(leading ? 1 : 0)
        }
    }

    func channel(_ name: String) -> Channel { Channel(node, channel: name) }

    /// Fabric's `ledger_transaction_count{channel, transaction_type, chaincode, validation_code}`
    /// with Fabric's label values: the type's name, the chaincode as `name:version`, `unknown`
    /// for either when the transaction does not say; counted per distinct set of labels.
    func countTransactions(_ transactions: [(type: Common_HeaderType?, chaincode: Protos_ChaincodeID?, code: Protos_TxValidationCode)],
                           channel: String) {
        var counts: [TransactionCountKey: Int] = [:]
        for transaction in transactions {
            let chaincode = transaction.chaincode.map { "\($0.name):\($0.version)" } ?? "unknown"
            counts[TransactionCountKey(type: transaction.type, chaincode: chaincode, code: transaction.code), default: 0] += 1
        }
        for (key, count) in counts {
            transactionCounters.counter(channel: channel, key: key) {
                node.counter("ledger_transaction_count", [("channel", channel), ("transaction_type", key.type?.fabricName ?? "unknown"),
                                                          ("chaincode", key.chaincode), ("validation_code", key.code.fabricName)])
            }.increment(by: count)
        }
    }
}

/// The `ledger_transaction_count` counters already made (making one asks the Prometheus
/// registry, which costs more than a commit can spare for every block).
final class TransactionCounters: Sendable {
    private let counters = Mutex<[String: [TransactionCountKey: Counter]]>([:])

    func counter(channel: String, key: TransactionCountKey, make: () -> Counter) -> Counter {
        counters.withLock { counters in
            if let counter = counters[channel]?[key] { return counter }
            let counter = make()
            counters[channel, default: [:]][key] = counter
            return counter
        }
    }
}

/// The labels `ledger_transaction_count` counts one transaction under.
struct TransactionCountKey: Hashable, Sendable {
    let type: Common_HeaderType?
    let chaincode: String
    let code: Protos_TxValidationCode
}
