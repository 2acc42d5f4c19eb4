import Foundation
import Transport

/// When `up` sends a request again that a busy node failed, and when it stops.
///
/// Guarantees: at least `minimumAttempts` attempts are made whatever the deadline; beyond them,
/// another attempt starts only if its pause ends before `deadline` (the phase's `--timeout`), so
/// a machine starved by a hundred starting nodes gets the whole timeout, not a fixed count of
/// tries, and a node that never answers costs at most the timeout. The pause grows by `step` per
/// attempt up to `maximumPause`.
struct RetrySchedule: Sendable {
    var minimumAttempts: Int
    var deadline: ContinuousClock.Instant
    var step: Duration
    var maximumPause: Duration = .seconds(1)

    /// The pause before attempt `next` (2, 3, …), or nil when no further attempt is allowed.
    func pause(before next: Int, now: ContinuousClock.Instant) -> Duration? {
        let pause = min(step * (next - 1), maximumPause)
        if next <= minimumAttempts { return pause }
        return now + pause < deadline ? pause : nil
    }
}

/// A request to a node that failed every attempt `up` made: what was asked of which node, how
/// often and for how long, the last failure, and what to do.
struct NodeRequestFailed: Error, CustomStringConvertible {
    /// What was asked, naming the node: "peer0.org1.example.com joining mychannel".
    let action: String
    let attempts: Int
    let seconds: Double
    let cause: any Error

    var description: String {
        "\(action) failed \(attempts) time(s) over \(String(format: "%.1f", seconds)) s, last: \(cause). "
            + "Nodes this busy are starved of CPU: retry with a longer --timeout (the limit of each phase's wait), "
            + "or run fewer peers; each node's log is in the state folder's logs/"
    }
}

/// Runs `request` again while its connection failed before the transport handshake completed:
/// nothing was sent yet, so trying again is safe. A machine busy starting many processes can
/// miss a node's 2 s handshake deadline several times in a row. Other failures end at once.
func retryingUnsent<T: Sendable>(_ action: String, until deadline: ContinuousClock.Instant, minimumAttempts: Int = 3,
                                 _ request: () async throws -> T) async throws -> T {
    try await retrying(action, RetrySchedule(minimumAttempts: minimumAttempts, deadline: deadline, step: .milliseconds(100)),
                       when: { ($0 as? TransportError).map(isUnsent) ?? false }, request)
}

/// Runs an idempotent `request` (one the node treats as done when it is repeated, such as a
/// peer joining a channel it is in) again after any failure but cancellation: a busy node may
/// close a connection mid-request, and then whether it acted is unknown.
func retryingIdempotent<T: Sendable>(_ action: String, until deadline: ContinuousClock.Instant, minimumAttempts: Int = 5,
                                     _ request: () async throws -> T) async throws -> T {
    try await retrying(action, RetrySchedule(minimumAttempts: minimumAttempts, deadline: deadline, step: .milliseconds(200)),
                       when: { !($0 is CancellationError) }, request)
}

func retrying<T: Sendable>(_ action: String, _ schedule: RetrySchedule, when retryable: (any Error) -> Bool,
                           _ request: () async throws -> T) async throws -> T {
    let started = ContinuousClock.now
    var attempt = 1
    while true {
        do {
            return try await request()
        } catch {
            guard retryable(error) else { throw error }
            guard let pause = schedule.pause(before: attempt + 1, now: .now) else {
                let elapsed = ContinuousClock.now - started
                throw NodeRequestFailed(action: action, attempts: attempt, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, cause: error)
            }
            attempt += 1
            try await Task.sleep(for: pause)  // back-off, not a wait for a condition
        }
    }
}

private func isUnsent(_ error: TransportError) -> Bool {
    switch error {
    case .closedBeforeHandshake, .handshakeTimeout: return true
    default: return false
    }
}
