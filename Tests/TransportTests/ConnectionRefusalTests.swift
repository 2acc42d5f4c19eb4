import FabnetWire
import Foundation
import NIOCore
import NIOSSL
import Testing
@testable import Transport

/// The kind each connection error is counted under: hostile ones by what was wrong, a remote
/// that merely went away (a killed node, a port probe) as `closed`, which no metric counts.
struct ConnectionRefusalTests {
    @Test func eachErrorHasItsKindAndAGoneRemoteIsNotHostile() {
        #expect(ConnectionRefusal(NIOSSLError.uncleanShutdown) == .closed)
        #expect(ConnectionRefusal(NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake]))) == .closed)
        #expect(ConnectionRefusal(TransportError.closedBeforeHandshake) == .closed)
        #expect(ConnectionRefusal(IOError(errnoCode: ECONNRESET, reason: "read")) == .closed)
        #expect(ConnectionRefusal(NIOSSLError.handshakeFailed(.sslError([]))) == .tls)
        #expect(ConnectionRefusal(TransportError.tlsBindingMismatch(mspID: "Org1MSP")) == .binding)
        #expect(ConnectionRefusal(TransportError.handshakeTimeout(seconds: 5)) == .handshake)
        #expect(ConnectionRefusal(TransportError.handshakeRefused(reason: "first frame is not a handshake")) == .handshake)
        #expect(ConnectionRefusal(TransportError.cutByFault) == .fault)
        #expect(ConnectionRefusal(FrameError.tooLarge(size: 10, limit: 1)) == .frame)
        #expect(ConnectionRefusal(FrameError.undecodable(type: "Packet", reason: "x")) == .frame)
    }
}
