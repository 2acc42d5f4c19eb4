import Crypto
@_spi(Verification) import FabnetModel
import FabnetCrypto
import FabnetWire
import Foundation
import NIOCore
import NIOSSL

/// The handshake that binds a TLS session to an MSP identity (Fabric's "ConnEstablish").
///
/// Each side sends, as its first frame, a `ConnEstablish` signed with its enrollment key that
/// carries its PKI-ID, its identity and the SHA-256 of its own TLS certificate. The receiver
/// validates the identity against the org roots, checks the signature, recomputes the PKI-ID and
/// compares the hash with the certificate actually presented on this session. TLS alone cannot
/// tell two loopback nodes apart (every certificate carries 127.0.0.1); this can.
enum TLSBinding {
    static func hash(of der: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: der)) }

    /// Our handshake packet (signed once per TLS certificate, see `TransportCaches`).
    static func makeHandshake(_ credentials: TransportCredentials) throws -> WirePacket {
        try credentials.caches.handshake(for: credentials.tlsCertificateHash) { try signHandshake(credentials) }
    }

    private static func signHandshake(_ credentials: TransportCredentials) throws -> WirePacket {
        var establish = WireConnEstablish()
        establish.pkiID = Data(credentials.signer.pkiID.bytes)
        establish.identity = try credentials.signer.serialized.serializedBytes()
        establish.tlsCertHash = Data(credentials.tlsCertificateHash)
        var packet = WirePacket()
        packet.handshake = try EnvelopeSealing.seal(establish, by: credentials.signer)
        return packet
    }

    /// Checks the remote's handshake against the certificate it presented on this session.
    static func verify(_ packet: WirePacket, presented certificate: NIOSSLCertificate?, credentials: TransportCredentials) async throws -> VerifiedSigner {
        guard case .handshake(let envelope)? = packet.body else {
            throw TransportError.handshakeRefused(reason: "first frame is not a handshake")
        }
        let verified: Verified<WireConnEstablish>
        do {
            verified = try await EnvelopeSealing.open(envelope, as: WireConnEstablish.self, creator: { establish in
                (try? WireSerializedIdentity(serializedBytes: establish.identity)) ?? WireSerializedIdentity()
            }, identities: credentials.caches.identities)
        } catch {
            throw TransportError.handshakeRefused(reason: "\(error)")
        }
        guard Array(verified.value.pkiID) == verified.signer.pkiID.bytes else {
            throw TransportError.handshakeRefused(reason: "PKI-ID does not match the identity")
        }
        guard let certificate, Array(verified.value.tlsCertHash) == hash(of: try certificate.toDERBytes()) else {
            throw TransportError.tlsBindingMismatch(mspID: verified.signer.mspID)
        }
        return verified.signer
    }
}
