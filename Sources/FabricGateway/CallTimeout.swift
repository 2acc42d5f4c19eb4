/// A call to a peer or orderer that did not answer within its time limit.
///
/// Guarantees: the description names the call and the limit, for an `ErrorDetail`.
public struct CallTimedOut: Error, Sendable, Equatable, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what) did not answer within \(limit)" }
}

/// Runs `body`, throwing ``CallTimedOut`` if it has not finished after `limit` (it is cancelled
/// then). Cancellation of the caller cancels `body` and throws.
func withTimeout<T: Sendable>(_ limit: Duration, _ what: String,
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw CallTimedOut(what: what, limit: limit)
        }
        return value
    }
}
