import Orchestrator

/// Wall-clock timing for command output and benchmarks (never used inside protocol code).
enum Stopwatch {
    /// Runs `body` and returns its result with the seconds it took.
    static func time<T>(_ body: () throws -> T) rethrows -> (result: T, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try body()
        return (result, (clock.now - start).seconds)
    }
}

extension Stopwatch {
    /// Runs `body` and returns its result with the seconds it took.
    static func time<T>(_ body: () async throws -> T) async rethrows -> (result: T, seconds: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = try await body()
        return (result, (clock.now - start).seconds)
    }
}
