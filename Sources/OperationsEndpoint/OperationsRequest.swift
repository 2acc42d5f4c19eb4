import Foundation
import NIOHTTP1

/// One request to the operations endpoint, as the routes see it: the method, the path and query
/// percent-decoded, and the body.
///
/// Guarantees: `path` never carries the query; `query` holds each key once, with its FIRST
/// value when a key repeats (`?from=3&from=9` gives `from=3`, as Go's `url.Values.Get` that
/// Fabric uses); a key without `=` has the value `""`; `+` stays `+` (it is form encoding, not
/// URI encoding: send a space as `%20`). The parsing is Foundation's `URLComponents`.
public struct OperationsRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: [String: String]
    public var body: String

    public init(method: HTTPMethod = .GET, path: String, query: [String: String] = [:], body: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
    }

    /// Parses a request target as sent on the request line (`/commits/mychannel?from=5`).
    public init(method: HTTPMethod, uri: String, body: String = "") throws(OperationsRequestError) {
        guard uri.hasPrefix("/"), let components = URLComponents(string: uri) else { throw OperationsRequestError(uri: uri) }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] where query[item.name] == nil {
            query[item.name] = item.value ?? ""
        }
        self.init(method: method, path: components.path, query: query, body: body)
    }
}

/// A request target that is not an origin-form path (`/path?query`).
public struct OperationsRequestError: Error, CustomStringConvertible {
    public let uri: String
    public var description: String {
        "the request target \"\(uri)\" is not a path with an optional query: send e.g. /commits/mychannel?from=5"
    }
}
