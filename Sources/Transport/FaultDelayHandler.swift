import NIOCore
import Synchronization

/// Who a connection's remote is, for its `FaultDelayHandler`: set once the handshake proved it
/// (until then nothing is held).
final class FaultGate: Sendable {
    private let remote = Mutex<(faults: FaultSwitch, name: String, isNodeByRole: Bool)?>(nil)

    func open(_ faults: FaultSwitch, remote name: String, isNodeByRole: Bool) {
        remote.withLock { $0 = (faults, name, isNodeByRole) }
    }

    /// How long a frame arriving now is held.
    func delay() -> TimeAmount {
        guard let remote = remote.withLock({ $0 }) else { return .zero }
        let held = remote.faults.delay(from: remote.name, isNodeByRole: remote.isNodeByRole)
        return .nanoseconds(Int64(held.components.seconds) * 1_000_000_000 + Int64(held.components.attoseconds / 1_000_000_000))
    }
}

/// Holds each arriving frame of a link a delay fault slows (`fabnet fault delay`) for its delay,
/// on the event loop: frames overlap in flight, as on a slow network, instead of each waiting
/// behind the one before.
///
/// Guarantees: frames leave in the order they came (a frame is never released before an
/// earlier one); the end of the connection is passed on after the last held frame; with no
/// delay in force, frames pass straight through.
final class FaultDelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let gate: FaultGate
    private var lastRelease = NIODeadline.uptimeNanoseconds(0)
    private var held = 0
    private var inactiveHeld = false

    init(gate: FaultGate) { self.gate = gate }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let delay = gate.delay()
        guard delay > .zero || held > 0 else { return context.fireChannelRead(data) }
        let release = max(lastRelease, .now() + delay)
        lastRelease = release
        held += 1
        context.eventLoop.assumeIsolated().scheduleTask(deadline: release) {
            self.held -= 1
            context.fireChannelRead(data)
            context.fireChannelReadComplete()
            if self.held == 0, self.inactiveHeld { context.fireChannelInactive() }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if held == 0 { context.fireChannelReadComplete() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if held > 0 { inactiveHeld = true } else { context.fireChannelInactive() }
    }
}
