/// Thrown when an awaited condition does not come true in time.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let seconds: Double
    public let what: String
    public var description: String { "\(what) did not happen within \(seconds)s" }

    public init(seconds: Double, what: String) {
        self.seconds = seconds
        self.what = what
    }
}

/// Runs `operation`, failing with `DeadlineExceeded` if it takes longer than `seconds`.
/// For tests: it bounds a wait on a condition; it is not itself a way to wait.
public func withDeadline<T: Sendable>(
    seconds: Double = 10, _ what: String = "operation", _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds)) // deadline guard
            throw DeadlineExceeded(seconds: seconds, what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
