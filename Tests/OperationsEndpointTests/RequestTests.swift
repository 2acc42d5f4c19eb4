import Foundation
import NIOHTTP1
import OperationsEndpoint
import Testing

/// The request the routes see: path and query parsed and percent-decoded, the body whole.
@Suite struct RequestTests {
    /// Echoes what the routes were given as JSON: `{"path":…,"query":{…},"bytes":N}`.
    static let echo: OperationsServer.Routes = { request in
        struct Echo: Encodable { let path: String; let query: [String: String]; let bytes: Int }
        return .json(Echo(path: request.path, query: request.query, bytes: request.body.utf8.count))
    }

    struct Echoed: Decodable, Equatable { let path: String; let query: [String: String]; let bytes: Int }

    func echoed(_ response: HTTPProbe.Response) throws -> Echoed {
        try JSONDecoder().decode(Echoed.self, from: Data(response.body.utf8))
    }

    @Test func theQueryReachesTheRoutesDecoded() async throws {
        try await withServer(Self.echo) { port in
            let response = try await HTTPProbe.get(port: port, path: "/commits/my%20chan?from=3&name=a%26b%3D&plus=a+b&flag")
            #expect(response.status == 200)
            #expect(try echoed(response) == Echoed(path: "/commits/my chan", query: ["from": "3", "name": "a&b=", "plus": "a+b", "flag": ""], bytes: 0))
        }
    }

    /// `127.0.0.1` is dialled as it is; a name is resolved first and reaches the same server.
    @Test func aHostNameReachesTheServerToo() async throws {
        try await withServer(Self.echo) { port in
            let response = try await HTTPProbe.get(host: "localhost", port: port, path: "/by-name")
            #expect(response.status == 200)
            #expect(try echoed(response).path == "/by-name")
        }
    }

    @Test func aRepeatedKeyKeepsItsFirstValue() throws {
        let request = try OperationsRequest(method: .GET, uri: "/commits/mychannel?from=3&from=9")
        #expect(request.query == ["from": "3"], "the first, as Go's url.Values.Get")
        #expect(request.path == "/commits/mychannel")
    }

    @Test func aTargetThatIsNotAPathIsRefusedSayingWhatToSend() {
        for uri in ["*", "http://127.0.0.1:9443/healthz", "healthz"] {
            let error = #expect(throws: OperationsRequestError.self) { try OperationsRequest(method: .GET, uri: uri) }
            #expect(error?.description == "the request target \"\(uri)\" is not a path with an optional query: send e.g. /commits/mychannel?from=5")
        }
    }

    @Test func aBodyOfTheLimitIsTakenAndOneByteMoreIs413() async throws {
        try await withServer(Self.echo) { port in
            let limit = OperationsServer.maximumBodyBytes
            let taken = try await HTTPProbe.request("PUT", port: port, path: "/echo", body: String(repeating: "a", count: limit))
            #expect(taken.status == 200)
            #expect(try echoed(taken).bytes == limit)
            let refused = try await HTTPProbe.request("PUT", port: port, path: "/echo", body: String(repeating: "a", count: limit + 1))
            #expect(refused.status == 413)
            let message = try #require(try object(refused.body)["Error"] as? String)
            #expect(message.contains("over \(limit) bytes"), "\(message)")
        }
    }
}
