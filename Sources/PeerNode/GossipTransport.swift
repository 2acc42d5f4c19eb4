import FabnetModel
import FabnetWire
import NIOCore
import Transport

/// What the peer service needs from the network to gossip: packets out to endpoints (on a
/// connection this side opened, or back on one the peer opened), and the packets remotes send
/// back on the connections this side opened. `PeerConnections` is the real one (mutual TLS);
/// tests use an in-memory one, so the service is tested without sockets.
///
/// Contract for an implementation (every method may be called from any task, and none blocks):
public protocol GossipTransport: Sendable {
    /// Sends a packet, already encoded (`WirePacket.frameBuffer()`), to `endpoint` at some later
    /// time, or drops it: loss is allowed (gossip repairs it), reordering of packets to one
    /// endpoint is not. When `expecting` is given, the remote must prove that PKI-ID, or nothing
    /// is delivered to it. One encoding of a message sent to many peers is shared by all of them
    /// (the buffer is not copied per peer).
    func send(encoded packet: ByteBuffer, to endpoint: Endpoint, expecting: PKIID?)

    /// Opens a connection to `endpoint` (proving `expecting`) if there is none, sending
    /// nothing: packets to it soon need not wait for a handshake. Like a send, it may be
    /// refused (a recent failure to reach it holds it back).
    func connect(to endpoint: Endpoint, expecting: PKIID)

    /// A hint: `peer` just reached this node over a connection of its own, so it is up. What is
    /// still waiting to reach its endpoints from before may be dropped, and a recent failure to
    /// reach them must no longer hold back new sends.
    func peerIsBack(_ peer: PKIID)

    /// Makes `connection`, which `peer` opened to this node and gossips on, the way for sends
    /// to `peer` while this side has no connection of its own to the peer's endpoint, from now
    /// on (an answer to the packet at hand takes it). Returns what writes those packets: run it
    /// beside the connection's reader; it ends when the connection ends, its task is cancelled,
    /// or a newer such connection of the peer replaces it.
    func returnPath(to peer: PKIID, over connection: AuthenticatedConnection) -> @Sendable () async -> Void

    /// Closes every connection and drops what waits to be sent; later sends may open new ones.
    func closeAll()

    /// Where packets that remotes send back on connections this side opened go, each with the
    /// endpoint dialled. Set once, before the first send; the receiver is awaited per packet,
    /// so a connection's packets reach it in order.
    func deliverReturnedPackets(to receiver: @escaping @Sendable (ReturnedPacket) async -> Void)

    /// The connections this side opened that exist now (dialling or open), for `/connections`.
    func currentConnections() -> [GossipConnectionSummary]
}

/// One outgoing gossip connection as `/connections` shows it.
///
/// Guarantees: `endpoint` is the endpoint dialled (`host:port`); `state` is `open` once the
/// handshake proved the remote, else `dialing`.
public struct GossipConnectionSummary: Sendable, Codable, Equatable {
    public let endpoint: String
    public let state: String

    public init(endpoint: String, state: String) {
        self.endpoint = endpoint
        self.state = state
    }
}

extension GossipTransport {
    /// None (transports that keep no connections, such as tests' in-memory ones).
    public func currentConnections() -> [GossipConnectionSummary] { [] }

    /// Nothing to carry (transports that keep no connections).
    public func returnPath(to peer: PKIID, over connection: AuthenticatedConnection) -> @Sendable () async -> Void { {} }

    /// Nothing to open (transports that keep no connections).
    public func connect(to endpoint: Endpoint, expecting: PKIID) {}

    /// Encodes `packet` and sends it (see `send(encoded:to:expecting:)`); a packet that does not
    /// encode is dropped.
    public func send(_ packet: WirePacket, to endpoint: Endpoint, expecting: PKIID?) {
        guard let encoded = try? packet.frameBuffer() else { return }
        send(encoded: encoded, to: endpoint, expecting: expecting)
    }
}

/// A packet a remote sent back on a connection this peer opened.
///
/// Guarantees: `remote` is the identity the remote proved in the connection's handshake;
/// `via` is the endpoint this peer dialled.
public struct ReturnedPacket: Sendable {
    public let packet: WirePacket
    public let remote: VerifiedSigner
    /// The size of the frame it came in (for the received-bytes counter).
    public let frameSize: Int
    public let via: Endpoint

    public init(packet: WirePacket, remote: VerifiedSigner, frameSize: Int, via: Endpoint) {
        self.packet = packet
        self.remote = remote
        self.frameSize = frameSize
        self.via = via
    }
}
