import NIOHTTP1

/// Chooses the handler of a request by its path, exact or by prefix, then by its method.
///
/// Guarantees: an exact path wins over a prefix, and the longest matching prefix over shorter
/// ones; a path with handlers but none for the method is answered 405 with an `Allow` header
/// and a body naming the methods it takes; a path with no handler is answered 404
/// `{"Error":"not found"}`.
public struct OperationsRouter: Sendable {
    public typealias Handler = @Sendable (OperationsRequest) async -> OperationsResponse

    /// Handlers by method name (`HTTPMethod` is not `Hashable`), in the order they were added.
    struct Methods: Sendable {
        var handlers: [(method: String, handler: Handler)] = []

        func handler(for method: HTTPMethod) -> Handler? { handlers.first { $0.method == method.rawValue }?.handler }
        var allowed: String { handlers.map(\.method).joined(separator: ", ") }
    }

    private var exact: [String: Methods] = [:]
    private var prefixes: [(prefix: String, methods: Methods)] = []

    public init() {}

    /// Answers `method` on exactly `path`.
    public mutating func on(_ method: HTTPMethod, _ path: String, _ handler: @escaping Handler) {
        exact[path, default: Methods()].handlers.append((method.rawValue, handler))
    }

    /// Answers `method` on every path that starts with `prefix` (e.g. `/commits/`).
    public mutating func on(_ method: HTTPMethod, prefix: String, _ handler: @escaping Handler) {
        if let index = prefixes.firstIndex(where: { $0.prefix == prefix }) {
            prefixes[index].methods.handlers.append((method.rawValue, handler))
        } else {
            prefixes.append((prefix, Methods(handlers: [(method.rawValue, handler)])))
            prefixes.sort { $0.prefix.count > $1.prefix.count }
        }
    }

    public func respond(to request: OperationsRequest) async -> OperationsResponse {
        guard let methods = exact[request.path] ?? prefixes.first(where: { request.path.hasPrefix($0.prefix) })?.methods else {
            return .notFound
        }
        guard let handler = methods.handler(for: request.method) else {
            return .error(.methodNotAllowed, "\(request.path) takes \(methods.allowed), not \(request.method.rawValue)",
                          headers: [("Allow", methods.allowed)])
        }
        return await handler(request)
    }

    /// The router as the server's `Routes`.
    public var routes: OperationsServer.Routes {
        let router = self
        return { await router.respond(to: $0) }
    }
}
