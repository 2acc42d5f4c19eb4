import Foundation
import Logging
import Synchronization

/// A node's logging: swift-log `Logger`s per module ("gossip", "ledger", "deliver", "comm", …)
/// whose levels follow one Fabric log specification, readable and changeable at run time through
/// `/logspec`; every line goes to one `LogSink` in `NodeLogLine`'s format.
///
/// Guarantees: a line is written only if its level is at least its module's level in the spec in
/// force when it is logged; a malformed spec is refused with what is wrong and leaves the current
/// one in force; loggers made before a spec change follow the new spec.
public final class NodeLogger: Sendable {
    /// The node's name, written on every line (`fabnet logs` and `up` show it).
    public let name: String
    private let current: Mutex<LogSpec>
    private let sink: any LogSink

    public init(name: String, spec: String = "info", sink: any LogSink = StandardErrorSink.shared) {
        self.name = name
        self.sink = sink
        current = Mutex((try? LogSpec(spec)) ?? (try! LogSpec("info")))
    }

    /// The spec in force, as it was given.
    public var spec: String { current.withLock { $0.text } }

    /// Replaces the specification (see `LogSpec`).
    public func setSpec(_ text: String) throws(LogSpecError) {
        let parsed = try LogSpec(text)
        current.withLock { $0 = parsed }
    }

    func level(for module: String) -> Logger.Level { current.withLock { $0.level(for: module) } }

    /// Whether a line of `level` in `module` is written under the spec in force.
    public func isEnabled(_ level: Logger.Level, module: String) -> Bool { level >= self.level(for: module) }

    /// A logger for `module`.
    public func logger(_ module: String) -> Logger {
        Logger(label: module) { [self] label in NodeLogHandler(module: label, node: self, sink: sink) }
    }
}

extension NodeLogger {
    /// The spec a node starts with: `FABRIC_LOGGING_SPEC` as Fabric's nodes read it, else `info`
    /// (a malformed value is reported on standard error and `info` used).
    public static func initialSpec(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let spec = environment["FABRIC_LOGGING_SPEC"], !spec.isEmpty else { return "info" }
        do {
            _ = try LogSpec(spec)
            return spec
        } catch {
            StandardErrorSink.shared.write("FABRIC_LOGGING_SPEC ignored: \(error); using info")
            return "info"
        }
    }
}
