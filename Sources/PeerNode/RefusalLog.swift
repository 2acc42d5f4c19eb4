import FabnetModel
import FabnetWire
import GossipCore
import Synchronization

/// Which refusals of hostile or broken input to log: once per sender and reason per window
/// (a minute), so a peer that floods forged messages costs one log line a minute, not one per
/// message. Every refusal is still counted (`fabnet_gossip_refused_total`).
///
/// Guarantees: a pure value (time is passed in). The first refusal of a (sender, reason) logs;
/// the next ones within `window` do not, and the first one after it logs with how many were
/// held back. At most `capacity` pairs are remembered (the oldest is forgotten first), so a
/// flood of forged sender names cannot grow it without bound.
struct RefusalLog: Sendable {
    struct Key: Hashable, Sendable {
        let sender: String
        let reason: String
    }

    let window: Duration
    let capacity: Int
    private var entries: [Key: (loggedAt: Duration, held: Int)] = [:]

    init(window: Duration = .seconds(60), capacity: Int = 1024) {
        self.window = window
        self.capacity = capacity
    }

    /// Whether to log this refusal now, and how many of the same were held back since the last line.
    mutating func note(sender: String, reason: String, now: Duration) -> (log: Bool, held: Int) {
        let key = Key(sender: sender, reason: reason)
        if let entry = entries[key], now - entry.loggedAt < window {
            entries[key] = (entry.loggedAt, entry.held + 1)
            return (false, 0)
        }
        let held = entries[key]?.held ?? 0
        if entries[key] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.loggedAt < $1.value.loggedAt })?.key {
            entries[oldest] = nil
        }
        entries[key] = (now, 0)
        return (true, held)
    }
}

/// Logs refusals through a `RefusalLog`, safe from any task: the shell around it (the peer's
/// logger and clock).
final class RefusalReporter: Sendable {
    private let log = Mutex(RefusalLog())
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Duration

    init(write: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Duration) {
        self.write = write
        self.now = now
    }

    func refused(_ reason: String, from sender: VerifiedSigner) {
        let name = "\(sender.mspID) \(sender.pkiID)"
        let (shouldLog, held) = log.withLock { $0.note(sender: name, reason: reason, now: now()) }
        guard shouldLog else { return }
        write("refused \(reason) from \(name)" + (held > 0 ? " (and \(held) more since the last line)" : "")
              + "; logged at most once a minute per sender and reason, all counted in fabnet_gossip_refused_total")
    }
}

/// An `EntryVerifier` that reports what `base` refuses, naming the connection's sender.
struct ReportingVerifier: EntryVerifier {
    let base: any EntryVerifier
    let sender: VerifiedSigner
    let reporter: RefusalReporter

    func alive(_ envelope: WireEnvelope) async -> AliveMessage? {
        let result = await base.alive(envelope)
        if result == nil { reporter.refused("an alive message whose signature, identity or PKI-ID does not verify", from: sender) }
        return result
    }

    func stateInfo(_ envelope: WireEnvelope) async -> StateInfo? {
        let result = await base.stateInfo(envelope)
        if result == nil { reporter.refused("a state info whose signature or identity does not verify", from: sender) }
        return result
    }

    func blocks(_ payloads: [WirePayload]) async -> [GossipBlock] {
        let result = await base.blocks(payloads)
        if result.count < payloads.count { reporter.refused("a block whose orderer signature, data hash or number does not verify", from: sender) }
        return result
    }
}
