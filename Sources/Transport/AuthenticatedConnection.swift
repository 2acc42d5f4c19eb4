import FabnetModel
import FabnetWire
import NIOCore

/// A connection whose remote proved its MSP identity, carrying `WirePacket`s.
///
/// Use it inside `Transport`'s handlers; it is closed when the handler returns. Read packets
/// from one task only (`packets` is a single stream, already past the handshake).
public struct AuthenticatedConnection: Sendable {
    /// Who is on the other end (validated identity, role, PKI-ID).
    public let remote: VerifiedSigner
    /// The packets the remote sends, until it closes. A frame that does not decode ends the
    /// sequence with an error (and the connection with it).
    public let packets: PacketStream
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Sends one packet; returns the size of its frame in bytes.
    @discardableResult
    public func send(_ packet: WirePacket) async throws -> Int {
        try await send(encoded: try packet.frameBuffer())
    }

    /// Sends a packet already encoded (`WirePacket.frameBuffer()`), so one encoding can go to
    /// many connections (`ByteBuffer` is copy-on-write: nothing is copied before the write);
    /// returns the size of its frame in bytes.
    @discardableResult
    public func send(encoded packet: ByteBuffer) async throws -> Int {
        try await outbound.write(packet)
        return packet.readableBytes
    }
}

/// The inbound packets of one connection: one underlying iterator, shared by every loop over it,
/// so the handshake and the handler read the same stream in turn.
public final class PacketStream: AsyncSequence, @unchecked Sendable {
    public typealias Element = WirePacket
    // Only touched by the one task that owns the connection.
    private var frames: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    /// The size of the last packet's frame, in bytes (for traffic metrics).
    public private(set) var lastFrameSize = 0
    /// The node's fault switch, the remote's name in plans and whether its certificate says it is
    /// a node, once the handshake proved who it is.
    var faults: (FaultSwitch, String, Bool)?

    init(_ frames: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.frames = frames }

    /// The next packet, or `nil` when the remote closed. Under a loss fault a gossip packet may
    /// be dropped (the next one is read); delays are `FaultDelayHandler`'s, in the pipeline.
    public func next() async throws -> WirePacket? {
        while true {
            guard let frame = try await frames.next() else { return nil }
            lastFrameSize = frame.readableBytes
            let packet = try WirePacket(frame: frame)
            if let (faults, remote, isNodeByRole) = faults {
                let isGossip: Bool
                switch packet.body {
                case .gossip?, .gossipMessage?: isGossip = true
                default: isGossip = false
                }
                guard faults.keeps(from: remote, isNodeByRole: isNodeByRole, isGossip: isGossip) else { continue }
            }
            return packet
        }
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: PacketStream
        public mutating func next() async throws -> WirePacket? { try await stream.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}
