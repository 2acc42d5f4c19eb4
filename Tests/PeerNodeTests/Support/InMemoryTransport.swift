@_spi(Verification) import FabnetModel
import FabnetWire
import NIOCore
import Synchronization
@testable import PeerNode

/// A `GossipTransport` in memory: it records what the service sends and the hints it gives,
/// and hands packets to the service as if a dialled remote had sent them back. No sockets.
///
/// Guarantees: every `send` is recorded, in call order, and nothing is dropped; `deliver`
/// returns after the service's receiver has handled the packet.
final class InMemoryTransport: GossipTransport {
    struct Sent: Sendable {
        let packet: WirePacket
        let endpoint: Endpoint
        let expecting: PKIID?
    }

    private struct State {
        var sent: [Sent] = []
        var peersBack: [PKIID] = []
        var closeAllCalls = 0
        var receiver: (@Sendable (ReturnedPacket) async -> Void)?
    }

    private let state = Mutex(State())

    var sent: [Sent] { state.withLock { $0.sent } }
    var peersBack: [PKIID] { state.withLock { $0.peersBack } }
    var closeAllCalls: Int { state.withLock { $0.closeAllCalls } }

    /// The gossip messages sent to `endpoint`, in order.
    func messages(to endpoint: Endpoint) -> [WireGossipMessage] {
        sent.filter { $0.endpoint == endpoint }.compactMap { sent in
            guard case .gossipMessage(let message)? = sent.packet.body else { return nil }
            return message
        }
    }

    func send(encoded buffer: ByteBuffer, to endpoint: Endpoint, expecting: PKIID?) {
        // Decoded back, as the remote would: what the service encoded is what is recorded.
        guard let packet = try? WirePacket(serializedBytes: Array(buffer.readableBytesView)) else {
            preconditionFailure("the service sent a buffer that is not a WirePacket")
        }
        state.withLock { $0.sent.append(Sent(packet: packet, endpoint: endpoint, expecting: expecting)) }
    }

    func peerIsBack(_ peer: PKIID) { state.withLock { $0.peersBack.append(peer) } }

    func closeAll() { state.withLock { $0.closeAllCalls += 1 } }

    func deliverReturnedPackets(to receiver: @escaping @Sendable (ReturnedPacket) async -> Void) {
        state.withLock { $0.receiver = receiver }
    }

    /// `message` from `remote`, as if it came back on the connection dialled to `via`.
    func deliver(_ message: WireGossipMessage, from remote: VerifiedSigner, via: Endpoint) async throws {
        guard let receiver = state.withLock({ $0.receiver }) else {
            throw FakeError("the service has not set a receiver for returned packets (it does so in its init)")
        }
        var packet = WirePacket()
        packet.gossipMessage = message
        await receiver(ReturnedPacket(packet: packet, remote: remote, frameSize: (try? packet.serializedBytes() as [UInt8])?.count ?? 0, via: via))
    }
}

/// What a fake refuses to do, and why.
struct FakeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
