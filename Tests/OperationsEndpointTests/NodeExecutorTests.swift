import NIOCore
import NIOPosix
import OperationsEndpoint
import Synchronization
import Testing

@Suite struct NodeExecutorTests {
    @Test func onlyLoopsInTheEnvironmentLeavesSwiftsOwnPool() {
        #expect(!NodeExecutor.install(environment: [NodeExecutor.variable: "pool"]))
        #expect(!NodeExecutor.install(environment: [:]))
        #expect(!NodeExecutor.isInstalled)
    }

    @Test func aNodeAsksForAtLeastFourLoopsUnlessNIOsVariableSaysHowMany() {
        #expect(NodeExecutor.loopCount(cores: 2, environment: [:]) == 4)
        #expect(NodeExecutor.loopCount(cores: 16, environment: [:]) == 16)
        #expect(NodeExecutor.loopCount(cores: 2, environment: [NodeExecutor.loopCountVariable: "2"]) == nil)
    }

    @Test func aSleepOnAnEventLoopReturnsAtOrAfterItsInstant() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        for delay in [Duration.zero, .milliseconds(-5), .milliseconds(1), .milliseconds(20)] {
            let instant = ContinuousClock.now + delay
            try await NodeExecutor.sleep(until: instant, on: loop)
            #expect(ContinuousClock.now >= instant)
        }
    }

    @Test func aCancelledSleepOnAnEventLoopThrowsWithoutWaitingForItsInstant() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let outcome = Mutex<String?>(nil)
        let sleeper = Task {
            do {
                try await NodeExecutor.sleep(until: .now + .seconds(3600), on: loop)
                outcome.withLock { $0 = "returned" }
            } catch is CancellationError {
                outcome.withLock { $0 = "cancelled" }
            } catch {
                outcome.withLock { $0 = "\(error)" }
            }
        }
        sleeper.cancel()
        await sleeper.value
        #expect(outcome.withLock { $0 } == "cancelled")
    }

    @Test func aSleepCancelledWhileItWaitsThrows() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let started = Mutex(false)
        let sleeper = Task {
            started.withLock { $0 = true }
            try await NodeExecutor.sleep(until: .now + .seconds(3600), on: loop)
        }
        try await waitUntil("the sleep to start") { started.withLock { $0 } }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
