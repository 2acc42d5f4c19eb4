@testable import ChaincodeRuntime
import Testing
import Synchronization

struct CallSlotsTests {
    @Test func aSecondCallerWaitsForTheSlotAndACancelledWaiterHoldsNone() async throws {
        let slots = CallSlots(1)
        try await slots.acquire()
        let order = Mutex<[String]>([])
        let waiter = Task {
            try await slots.acquire()
            order.withLock { $0.append("second got the slot") }
            slots.release()
        }
        let cancelled = Task { try await slots.acquire() }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        order.withLock { $0.append("first releases") }
        slots.release()
        try await waiter.value
        #expect(order.withLock { $0 } == ["first releases", "second got the slot"])
        // The slot is free again.
        try await slots.acquire()
        slots.release()
    }
}
