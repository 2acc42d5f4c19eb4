import FabnetCrypto
import FabnetWire
import NIOSSL
import Synchronization

/// What a node's connections share instead of making anew for each one: its TLS contexts, its
/// signed handshake, and the identities its handshakes already validated.
///
/// Guarantees: each context is made once, on first use, and reused by every connection (a
/// `NIOSSLContext` is immutable and thread-safe); the handshake is signed again only when the
/// credentials' TLS certificate hash differs from the one it was signed with; an identity's
/// certificate chain is validated once (`ValidatedIdentityCache`, which the peer's gossip shares).
/// At 100 peers a start made ~8,000 connections: each made two contexts, signed a handshake and
/// validated the remote's chain, about a third of the start's signature checks.
public final class TransportCaches: Sendable {
    public let identities: ValidatedIdentityCache
    private let server = Mutex<NIOSSLContext?>(nil)
    private let client = Mutex<NIOSSLContext?>(nil)
    private let handshake = Mutex<(hash: [UInt8], packet: WirePacket)?>(nil)

    init(validator: MembershipValidator) {
        identities = ValidatedIdentityCache(validator: validator)
    }

    func serverContext(_ make: () throws -> NIOSSLContext) throws -> NIOSSLContext { try Self.once(server, make) }

    func clientContext(_ make: () throws -> NIOSSLContext) throws -> NIOSSLContext { try Self.once(client, make) }

    /// The value `slot` holds, made by `make` on first use.
    private static func once(_ slot: borrowing Mutex<NIOSSLContext?>, _ make: () throws -> NIOSSLContext) throws -> NIOSSLContext {
        try slot.withLock { context in
            if let context { return context }
            let made = try make()
            context = made
            return made
        }
    }

    func handshake(for hash: [UInt8], _ make: () throws -> WirePacket) throws -> WirePacket {
        try handshake.withLock { cached in
            if let cached, cached.hash == hash { return cached.packet }
            let packet = try make()
            cached = (hash, packet)
            return packet
        }
    }
}
