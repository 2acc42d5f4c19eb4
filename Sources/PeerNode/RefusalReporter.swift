import FabnetModel
import FabnetWire
import GossipCore
import OperationsEndpoint
import Synchronization

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
