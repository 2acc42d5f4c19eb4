import NIOHTTP1
import OperationsEndpoint
import Testing

/// Which handler answers: exact paths before prefixes, the longest prefix first, then the method.
@Suite struct RouterTests {
    func router() -> OperationsRouter {
        var router = OperationsRouter()
        router.on(.GET, "/commits/special") { _ in OperationsResponse(body: "exact") }
        router.on(.GET, prefix: "/commits/") { _ in OperationsResponse(body: "commits") }
        router.on(.GET, prefix: "/commits/long/") { _ in OperationsResponse(body: "long") }
        router.on(.PUT, prefix: "/commits/") { _ in OperationsResponse(body: "put") }
        return router
    }

    func answer(_ path: String, _ method: HTTPMethod = .GET) async -> OperationsResponse {
        await router().respond(to: OperationsRequest(method: method, path: path))
    }

    @Test func exactThenLongestPrefixThenMethod() async {
        #expect(await answer("/commits/special").body == "exact")
        #expect(await answer("/commits/special/more").body == "commits")
        #expect(await answer("/commits/long/x").body == "long")
        #expect(await answer("/commits/mychannel").body == "commits")
        #expect(await answer("/commits/mychannel", .PUT).body == "put")
    }

    @Test func noRouteIs404AndNoMethodIs405WithAllow() async {
        #expect(await answer("/commit").status == .notFound)
        let wrong = await answer("/commits/mychannel", .DELETE)
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.headers.map(\.name) == ["Allow"] && wrong.headers.map(\.value) == ["GET, PUT"])
    }

    @Test func errorMessagesAreEscapedJSON() {
        let message = "a \"quoted\" back\\slash\nnew line \u{1} and / slash"
        let response = OperationsResponse.error(.badRequest, message)
        #expect(response.body == #"{"Error":"a \"quoted\" back\\slash\nnew line \u0001 and / slash"}"#)
        #expect(JSONText.quoted("my\"chan") == #""my\"chan""#)
    }
}
