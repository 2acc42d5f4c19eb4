import Foundation
import Synchronization
import Testing
import Transport
@testable import Orchestrator

/// How `up` repeats what a busy node failed: at least a few attempts, then as many as fit before
/// the phase's deadline, and an error that names the node's action, the attempts and the cause.
struct BusyNodeRetryTests {
    @Test func theMinimumAttemptsAreMadeWhateverTheDeadline() {
        let now = ContinuousClock.now
        let schedule = RetrySchedule(minimumAttempts: 3, deadline: now - .seconds(1), step: .milliseconds(100))
        #expect(schedule.pause(before: 2, now: now) == .milliseconds(100))
        #expect(schedule.pause(before: 3, now: now) == .milliseconds(200))
        #expect(schedule.pause(before: 4, now: now) == nil)
    }

    @Test func beyondTheMinimumAnAttemptStartsOnlyIfItsPauseEndsBeforeTheDeadline() {
        let now = ContinuousClock.now
        let schedule = RetrySchedule(minimumAttempts: 1, deadline: now + .seconds(1), step: .milliseconds(100))
        #expect(schedule.pause(before: 5, now: now) == .milliseconds(400))
        #expect(schedule.pause(before: 5, now: now + .milliseconds(500)) == .milliseconds(400))
        #expect(schedule.pause(before: 5, now: now + .milliseconds(700)) == nil)
    }

    @Test func thePauseGrowsPerAttemptUpToItsMaximum() {
        let now = ContinuousClock.now
        let schedule = RetrySchedule(minimumAttempts: 100, deadline: now, step: .milliseconds(200))
        #expect((2...7).map { schedule.pause(before: $0, now: now) } == [200, 400, 600, 800, 1000, 1000].map { Duration.milliseconds($0) })
    }

    @Test func aRequestFailingBeforeTheHandshakeIsSentAgainUntilItSucceeds() async throws {
        let calls = Mutex(0)
        let schedule = RetrySchedule(minimumAttempts: 2, deadline: .now + .seconds(60), step: .milliseconds(1))
        let value = try await retrying("peer0 joining mychannel", schedule, when: { $0 as? TransportError == .closedBeforeHandshake }) {
            let call = calls.withLock { $0 += 1; return $0 }
            if call < 4 { throw TransportError.closedBeforeHandshake }
            return call
        }
        #expect(value == 4)  // beyond the minimum of 2: the deadline was far
    }

    @Test func theLastFailureNamesTheActionTheAttemptsTheCauseAndWhatToDo() async {
        let schedule = RetrySchedule(minimumAttempts: 2, deadline: .now, step: .milliseconds(1))
        do {
            _ = try await retrying("peer7.org2.example.com joining mychannel", schedule, when: { _ in true }) { () async throws -> Int in
                throw TransportError.closedBeforeHandshake
            }
            Issue.record("no error")
        } catch let failed as NodeRequestFailed {
            #expect(failed.attempts == 2)
            #expect(failed.description.hasPrefix("peer7.org2.example.com joining mychannel failed 2 time(s) over "))
            #expect(failed.description.contains("last: connection closed before the handshake"))
            #expect(failed.description.contains("--timeout"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func onlyConnectionsThatNeverCarriedTheRequestAreSentAgainUnlessItIsIdempotent() async {
        let calls = Mutex(0)
        await #expect(throws: TransportError.handshakeRefused(reason: "unknown CA")) {
            _ = try await retryingUnsent("orderer creating mychannel", until: .now + .seconds(60)) { () async throws -> Int in
                calls.withLock { $0 += 1 }
                throw TransportError.handshakeRefused(reason: "unknown CA")
            }
        }
        #expect(calls.withLock { $0 } == 1)
    }
}
