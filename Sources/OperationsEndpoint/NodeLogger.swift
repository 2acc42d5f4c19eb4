import Foundation

/// A node's log with Fabric's log specification: a default level and per-module overrides,
/// e.g. `info` or `gossip=debug:ledger=warning:info`, readable and changeable at run time
/// through `/logspec` (GET gives `{"spec":"…"}`, PUT takes the same).
///
/// Guarantees: a line is written only if its level is at least its module's level; a malformed
/// spec is refused with what is wrong and leaves the current one in force.
public final class NodeLogger: @unchecked Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        init?(name: String) {
            switch name.lowercased() {
            case "debug": self = .debug
            case "info": self = .info
            case "warn", "warning": self = .warning
            case "error", "fatal", "panic": self = .error
            default: return nil
            }
        }
    }

    private let sink: @Sendable (String) -> Void
    private let lock = NSLock()
    private var defaultLevel = Level.info
    private var modules: [String: Level] = [:]
    private var text = "info"

    public init(spec: String = "info", sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
        try? setSpec(spec)
    }

    public var spec: String { lock.withLock { text } }

    /// Replaces the specification: `module=level` overrides separated by `:`, and one plain level
    /// as the default (several modules may share a level: `gossip,ledger=debug`).
    public func setSpec(_ spec: String) throws {
        var newDefault = Level.info
        var newModules: [String: Level] = [:]
        for part in spec.split(separator: ":").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let level = Level(name: pieces.last ?? "") else {
                throw LogSpecError(spec: spec, reason: "\(pieces.last ?? "") is not a level (debug, info, warning, error)")
            }
            if pieces.count == 2 {
                for module in pieces[0].split(separator: ",") { newModules[String(module)] = level }
            } else {
                newDefault = level
            }
        }
        lock.withLock {
            defaultLevel = newDefault
            modules = newModules
            text = spec
        }
    }

    public func isEnabled(_ level: Level, module: String) -> Bool {
        lock.withLock { level >= (modules[module] ?? defaultLevel) }
    }

    public func log(_ line: @autoclosure () -> String, module: String, level: Level = .info) {
        guard isEnabled(level, module: module) else { return }
        sink("[\(module)] \(level == .info ? "" : "\(level) ")\(line())")
    }
}

/// A log specification that cannot be applied.
public struct LogSpecError: Error, CustomStringConvertible {
    public let spec: String
    public let reason: String
    public var description: String { "log spec \"\(spec)\": \(reason)" }
}
