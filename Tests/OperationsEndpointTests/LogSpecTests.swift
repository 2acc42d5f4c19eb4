import Foundation
import Logging
import OperationsEndpoint
import Testing

/// `/logspec` as Fabric serves it: GET `{"spec":…}`, PUT `{"spec":…}` → 204, 400 `{"error":…}`.
@Suite struct LogSpecTests {
    let logger = NodeLogger(name: "peer0", spec: "info", sink: ClosureSink { _ in })

    @Test func getGivesTheSpecAndPutChangesIt() async throws {
        try await withServer(nodeRoutes(logger: logger)) { port in
            #expect(try await HTTPProbe.get(port: port, path: "/logspec").body == #"{"spec":"info"}"#)
            let put = try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"gossip=debug:info"}"#)
            #expect(put.status == 204)
            #expect(put.body.isEmpty)
            #expect(logger.isEnabled(.debug, module: "gossip") && !logger.isEnabled(.debug, module: "ledger"))
            #expect(try await HTTPProbe.get(port: port, path: "/logspec").body == #"{"spec":"gossip=debug:info"}"#)
        }
    }

    @Test func aBadSpecIs400SayingWhyAndChangesNothing() async throws {
        try await withServer(nodeRoutes(logger: logger)) { port in
            let response = try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"loud"}"#)
            #expect(response.status == 400)
            let message = try #require(try object(response.body)["error"] as? String)
            #expect(message.contains("\"loud\" is not a level (debug, info, warning, error)"), "\(message)")
            #expect(message.contains("the spec in force is still info"), "\(message)")
            #expect(logger.spec == "info")
        }
    }

    @Test func aBodyThatIsNotSpecJSONIs400SayingWhatToSend() async throws {
        try await withServer(nodeRoutes(logger: logger)) { port in
            for body in ["debug", #"{"level":"debug"}"#, ""] {
                let response = try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: body)
                #expect(response.status == 400)
                let message = try #require(try object(response.body)["error"] as? String)
                #expect(message.contains(#"PUT /logspec takes JSON {"spec":"<spec>"}"#), "\(message)")
            }
        }
    }

    @Test func quotesInASpecAreEscaped() async throws {
        try await withServer(nodeRoutes(logger: logger)) { port in
            // A module name with a quote is a valid spec: it comes back as it went.
            let put = try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"we\"ird=debug:info"}"#)
            #expect(put.status == 204)
            let get = try await HTTPProbe.get(port: port, path: "/logspec")
            #expect(get.body == #"{"spec":"we\"ird=debug:info"}"#)
            #expect(try object(get.body)["spec"] as? String == #"we"ird=debug:info"#)
            // A refused one is named in a valid JSON error.
            let bad = try await HTTPProbe.request("PUT", port: port, path: "/logspec", body: #"{"spec":"lo\"ud\\"}"#)
            #expect(bad.status == 400)
            let message = try #require(try object(bad.body)["error"] as? String)
            #expect(message.contains(#""lo"ud\" is not a level"#), "\(message)")
        }
    }

    @Test func otherMethodsAre405() async throws {
        try await withServer(nodeRoutes(logger: logger)) { port in
            let response = try await HTTPProbe.request("DELETE", port: port, path: "/logspec")
            #expect(response.status == 405)
            #expect(try object(response.body)["Error"] as? String == "/logspec takes GET, PUT, not DELETE")
        }
    }
}
