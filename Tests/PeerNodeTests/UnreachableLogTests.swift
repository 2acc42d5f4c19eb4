import FabnetModel
import Testing
@testable import PeerNode

/// A dead node is reported once, then at most every interval, by its endpoint.
@Suite struct UnreachableLogTests {
    let endpoint = Endpoint(host: "peer1.org2.example.com", port: 7058)!

    @Test func aNodeThatStaysDownCostsOneLinePerInterval() {
        var log = UnreachableLog(interval: .seconds(5))
        let start = Duration.seconds(1)
        let first = log.failed(endpoint, reason: "connection refused", now: start)
        #expect(first?.hasPrefix("cannot reach peer1.org2.example.com:7058: connection refused") == true)
        // Gossip dials it every 100 ms for 4.9 s: nothing more is said.
        let quiet = (1..<50).compactMap { log.failed(endpoint, reason: "connection refused", now: start + .milliseconds(100 * $0)) }
        #expect(quiet.isEmpty)
        let again = log.failed(endpoint, reason: "connection refused", now: start + .seconds(5))
        #expect(again == "still cannot reach peer1.org2.example.com:7058: connection refused (50 failed attempts since the last line)")
        #expect(log.reached(endpoint) == "reached peer1.org2.example.com:7058 again")
        #expect(log.reached(endpoint) == nil, "a node never reported unreachable gets no line")
    }

    @Test func eachEndpointIsReportedOnItsOwn() {
        var log = UnreachableLog(interval: .seconds(5))
        let now = Duration.seconds(1)
        #expect(log.failed(endpoint, reason: "refused", now: now) != nil)
        #expect(log.failed(Endpoint(host: "peer0.org2.example.com", port: 7056)!, reason: "refused", now: now) != nil)
        #expect(log.failed(endpoint, reason: "refused", now: now) == nil)
    }
}
