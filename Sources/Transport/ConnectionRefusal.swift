import FabnetWire
import Foundation
import NIOCore
import NIOSSL

/// Why a connection a node accepted was refused or ended in error, as one word: the label of
/// `fabnet_connections_refused_total` and the kind a refusal is logged under.
///
/// Guarantees: every error maps to exactly one kind; a connection the remote merely closed or
/// reset (a node stopping) is `closed`, never mistaken for a hostile one.
public enum ConnectionRefusal: String, CaseIterable, Sendable {
    /// TLS failed: no client certificate, one from a CA the node does not trust, a bad handshake.
    case tls
    /// The identity handshake named a TLS certificate other than the one presented.
    case binding
    /// The identity handshake was refused (not a handshake, an identity that does not verify, a
    /// PKI-ID that does not match it) or did not come in time.
    case handshake
    /// A frame over the size limit or not a valid message.
    case frame
    /// Cut by `fabnet fault partition`.
    case fault
    /// The remote closed or reset the connection.
    case closed
    case other

    public init(_ error: any Error) {
        switch error {
        // The remote went away without TLS's goodbye (a node killed, a port probe): not hostile.
        case NIOSSLError.uncleanShutdown: self = .closed
        case NIOSSLError.handshakeFailed(.sslError(let stack)) where stack == [.eofDuringHandshake]: self = .closed
        case is NIOSSLError, is BoringSSLError: self = .tls
        case TransportError.tlsBindingMismatch: self = .binding
        case TransportError.cutByFault: self = .fault
        case TransportError.handshakeRefused, TransportError.handshakeTimeout, TransportError.unexpectedRemote: self = .handshake
        case TransportError.closedBeforeHandshake: self = .closed
        case is FrameError: self = .frame
        case let error as IOError where [ECONNRESET, EPIPE].contains(error.errnoCode): self = .closed
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof: self = .closed
        default: self = .other
        }
    }
}
