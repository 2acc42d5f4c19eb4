import FabnetCrypto
import FabnetModel
import FabnetWire
import FabricWire
import Foundation
import GossipCore

extension PeerService {
    /// While leader of `channel`: delivers blocks from the orderer from the ledger height on
    /// (waiting for new ones), verifies each and hands it to the core, which commits and
    /// gossips it. A lost connection is retried with back-off (0.1 s doubling to 3 s). The
    /// stream is a child task of `run()`: `.stopPulling` or the end of `run()` cancels it. The
    /// blocks come from `blockSource`; the back-off waits are on the service's clock.
    func startPulling(_ channel: String) {
        let source = blockSource
        tasks.start(Self.deliverKey(channel)) { [weak self] in
            await self?.pull(channel, from: source)
        }
    }

    private nonisolated func pull(_ channel: String, from source: any OrdererBlockSource) async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            guard let start = await nextToPull(channel) else { return }
            do {
                let (status, info) = try await source.deliver(channel: channel, from: start) { block in
                    await self.fromOrderer(block, channel: channel)
                    return !Task.isCancelled
                }
                if Task.isCancelled { return }
                loggers.deliver.warning("channel \(channel): deliver ended: \(status) \(info)")
            } catch {
                if Task.isCancelled { return }
                loggers.deliver.warning("channel \(channel): deliver from \(source.name) failed: \(error); retrying in \(backoff)")
            }
            do { try await clock.sleep(until: clock.now + backoff) } catch { return }
            backoff = min(backoff * 2, .seconds(3))
        }
    }

    /// Where delivery resumes: the core's confirmed height (the next block the ledger expects;
    /// a block still in flight is delivered again and dropped by the core as a duplicate); nil
    /// once this peer no longer pulls `channel`.
    func nextToPull(_ channel: String) -> UInt64? {
        guard tasks.isRunning(Self.deliverKey(channel)) else { return nil }
        return core.height(of: channel)
    }

    func fromOrderer(_ data: [UInt8], channel: String) async {
        // Decoded once here: the ledger and every push reuse these bytes.
        guard let block = try? Common_Block(serializedBytes: data) else {
            metrics.refusedFromOrderer.increment()
            loggers.deliver.error("channel \(channel): a block from the orderer refused: it does not decode as a common.Block")
            return
        }
        guard let verified = await codec.verify(block, serialized: data) else {
            metrics.refusedFromOrderer.increment()
            loggers.deliver.error("channel \(channel): block \(block.header.number) from the orderer refused: bad signature or data hash")
            return
        }
        metrics.fromOrderer.increment()
        metrics.bytesFromOrderer.increment(by: data.count)
        guard !stopped else { return }
        let gossip = GossipBlock(number: block.header.number, data: data, verified: verified)
        perform(core.handle(.blockFromOrderer(channel: channel, gossip), now: now, random: &random))
    }
}
