import Foundation
import OperationsEndpoint
import Testing

/// `/healthz`, `/version` and `/metrics` in Fabric's shapes, over HTTP.
@Suite struct NodeRoutesTests {
    @Test func healthzIsOKWithTheTime() async throws {
        let before = Date()
        try await withServer(nodeRoutes()) { port in
            let response = try await HTTPProbe.get(port: port, path: "/healthz")
            #expect(response.status == 200)
            #expect(response.contentType == "application/json")
            let body = try object(response.body)
            #expect(Set(body.keys) == ["status", "time"], "no failed_checks when nothing failed")
            #expect(body["status"] as? String == "OK")
            let time = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(try #require(body["time"] as? String))
            #expect(time >= before.addingTimeInterval(-0.001) && time <= Date())
        }
    }

    @Test func healthzIs503NamingTheFailedChecks() async throws {
        let reason = #"stopping "now" \ at once"# + "\n\u{1}"
        try await withServer(nodeRoutes(failedChecks: [("gossip", reason), ("ledger", "disk full")])) { port in
            let response = try await HTTPProbe.get(port: port, path: "/healthz")
            #expect(response.status == 503)
            let body = try object(response.body)
            #expect(body["status"] as? String == "Service Unavailable")
            #expect(body["time"] is String)
            let checks = try #require(body["failed_checks"] as? [[String: String]])
            #expect(checks == [["component": "gossip", "reason": reason], ["component": "ledger", "reason": "disk full"]])
            #expect(response.body.contains(#"\"now\" \\ at once\n\u0001"#), "quote, backslash and control characters escaped: \(response.body)")
        }
    }

    @Test func versionHasFabricsKeys() async throws {
        try await withServer(nodeRoutes()) { port in
            let response = try await HTTPProbe.get(port: port, path: "/version")
            #expect(response.status == 200)
            #expect(response.body == #"{"CommitSHA":"development build","Version":"1.2.3"}"#)
        }
    }

    @Test func metricsArePrometheusText() async throws {
        let text = "# TYPE fabnet_ledger_height gauge\nfabnet_ledger_height{channel=\"mychannel\"} 3\n"
        try await withServer(nodeRoutes(metrics: text)) { port in
            let response = try await HTTPProbe.get(port: port, path: "/metrics")
            #expect(response.status == 200)
            #expect(response.contentType == "text/plain; version=0.0.4")
            #expect(response.body == text)
        }
    }

    @Test func aPathWithNoRouteIs404InFabricsErrorShape() async throws {
        try await withServer(nodeRoutes()) { port in
            let response = try await HTTPProbe.get(port: port, path: "/nope")
            #expect(response.status == 404)
            #expect(response.body == #"{"Error":"not found"}"#)
            #expect(try await HTTPProbe.get(port: port, path: "/logspec").status == 404, "no /logspec without a logger (the orderer)")
        }
    }

    @Test func aRouteAskedWithAnotherMethodIs405NamingTheMethods() async throws {
        try await withServer(nodeRoutes()) { port in
            let response = try await HTTPProbe.request("POST", port: port, path: "/healthz", body: "{}")
            #expect(response.status == 405)
            #expect(try object(response.body)["Error"] as? String == "/healthz takes GET, not POST")
        }
    }
}
