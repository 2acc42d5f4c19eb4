import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import GossipCore
import FabnetClient
import Transport

extension PeerService {
    /// While leader of `channel`: delivers blocks from the orderer from the ledger height on
    /// (waiting for new ones), verifies each and hands it to the core, which commits and
    /// gossips it. A lost connection is retried with back-off (0.1 s doubling to 3 s). The
    /// stream is a child task of `run()`: `.stopPulling` or the end of `run()` cancels it.
    func startPulling(_ channel: String) {
        let client = OrdererClient(transport: Transport(credentials: credentials), port: ordererEndpoint.port,
                                   serverHostname: ordererEndpoint.host)
        tasks.start(Self.deliverKey(channel)) { [weak self] in
            await self?.pull(channel, from: client)
        }
    }

    private nonisolated func pull(_ channel: String, from client: OrdererClient) async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            guard let start = await nextToPull(channel) else { return }
            do {
                let (_, status, info) = try await client.blocks(channel: channel, start: .number(start), stop: .number(UInt64.max),
                                                                failIfNotReady: false, collect: false) { block in
                    await self.fromOrderer(block, channel: channel)
                    return !Task.isCancelled
                }
                if Task.isCancelled { return }
                loggers.deliver.warning("channel \(channel): deliver ended: \(status) \(info)")
            } catch {
                if Task.isCancelled { return }
                loggers.deliver.warning("channel \(channel): deliver from \(client.serverHostname):\(client.port) failed: \(error); retrying in \(backoff)")
            }
            do { try await Task.sleep(for: backoff) } catch { return }
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

    func fromOrderer(_ block: WireBlock, channel: String) async {
        // Encoded once here: the ledger and every push reuse these bytes.
        guard let data = try? block.serializedBytes() as [UInt8], let verified = await codec.verify(block, serialized: data) else {
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
