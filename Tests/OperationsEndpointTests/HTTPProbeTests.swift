import NIOCore
import NIOPosix
import OperationsEndpoint
import Testing

/// The async probe gives up in time and says why, without blocking a thread.
@Suite struct HTTPProbeTests {
    @Test func aServerThatNeverAnswersTimesOut() async throws {
        // Accepts connections and reads nothing, answers nothing.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        let port = try #require(silent.localAddress?.port)
        let started = ContinuousClock.now
        await #expect {
            _ = try await HTTPProbe.get(port: port, path: "/healthz", timeout: 0.3)
        } throws: { error in
            guard case HTTPProbeError.timedOut(let target, seconds: let seconds) = error else { return false }
            return target == "GET http://127.0.0.1:\(port)/healthz" && seconds == 0.3
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aClosedPortIsUnreachableSayingWhatToCheck() async throws {
        let closed = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(closed.localAddress?.port)
        try await closed.close().get()
        do {
            _ = try await HTTPProbe.get(port: port, path: "/metrics", timeout: 2)
            Issue.record("a closed port answered")
        } catch let error as HTTPProbeError {
            guard case .unreachable = error else { Issue.record("\(error)"); return }
            #expect(error.description.hasPrefix("GET http://127.0.0.1:\(port)/metrics: cannot connect"))
            #expect(error.description.contains("is the node running"))
        }
    }
}
