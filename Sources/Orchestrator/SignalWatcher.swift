import Foundation

/// Runs `handler` once when the process gets one of `signals` (default handling is turned off
/// for them, so the process is not killed before it can shut down gracefully).
public final class SignalWatcher: @unchecked Sendable {  // sources are only created in init and cancelled
    private let sources: [any DispatchSourceSignal]

    public init(_ signals: [Int32] = [SIGTERM, SIGINT], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    public func cancel() { sources.forEach { $0.cancel() } }
}
