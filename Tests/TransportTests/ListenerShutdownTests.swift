import FabnetCrypto
import Foundation
import NIOCore
import Synchronization
import Testing
@testable import Transport

/// A listener stopped while connections keep arriving: every connection NIO accepted is read
/// from its queue and closed, none is dropped unread (which crashed the process), and `serve`
/// returns.
@Suite struct ListenerShutdownTests {
    /// Starts a plain TCP connection to 127.0.0.1:`port` (no TLS: enough to be accepted). The
    /// socket does not block: the kernel completes the connection while the test goes on, so
    /// no thread of the test runner's small pool waits on a full accept backlog.
    func rawConnect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return fd
    }

    @Test func cancellingServeWhileConnectionsArriveClosesThemAll() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let transport = Transport(credentials: try network.peer(1, 0))
        for _ in 0..<5 {
            let listener = try await transport.listen(port: 0)
            // Accepted by NIO and queued before anyone reads the accept queue.
            var sockets = (0..<32).map { _ in rawConnect(listener.port) }
            let serving = Task { try await listener.serve { _ in } }
            sockets += (0..<16).map { _ in rawConnect(listener.port) }
            serving.cancel()
            sockets += (0..<32).map { _ in rawConnect(listener.port) }
            _ = await serving.result
            sockets.forEach { close($0) }
        }
    }

    @Test func closingBeforeServeStillDrainsTheQueue() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let transport = Transport(credentials: try network.peer(1, 0))
        let listener = try await transport.listen(port: 0)
        let sockets = (0..<32).map { _ in rawConnect(listener.port) }
        listener.close()
        let handled = HandledCount()
        try await listener.serve { _ in handled.add() }
        sockets.forEach { close($0) }
        #expect(handled.value == 0, "connections queued when the listener closed are closed, not handled")
    }
}

/// How many connections a handler saw.
final class HandledCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
