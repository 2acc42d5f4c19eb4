import Logging

/// Fabric's log specification, parsed: a default level and per-module overrides, as in `info`,
/// `gossip=debug:ledger=warning:info` or `gossip,ledger=debug` (several modules share a level).
///
/// Guarantees: a value exists only for a spec every part of which parsed; `text` is the spec as
/// given (Fabric's `/logspec` answers it unchanged); a module without an override gets the default.
public struct LogSpec: Sendable, Equatable {
    public let text: String
    public let defaultLevel: Logger.Level
    public let modules: [String: Logger.Level]

    /// Parses `text`; throws `LogSpecError` naming the part that is not a level.
    public init(_ text: String) throws(LogSpecError) {
        var defaultLevel = Logger.Level.info
        var modules: [String: Logger.Level] = [:]
        for part in text.split(separator: ":").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard let level = Self.level(named: pieces.last ?? "") else {
                throw LogSpecError(spec: text, reason: "\"\(pieces.last ?? "")\" is not a level (debug, info, warning, error)")
            }
            if pieces.count == 2 {
                for module in pieces[0].split(separator: ",") { modules[String(module)] = level }
            } else {
                defaultLevel = level
            }
        }
        self.text = text
        self.defaultLevel = defaultLevel
        self.modules = modules
    }

    /// The lowest level written for `module`.
    public func level(for module: String) -> Logger.Level { modules[module] ?? defaultLevel }

    /// Fabric's level names (zap's), mapped onto swift-log's levels.
    static func level(named name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "debug": .debug
        case "info": .info
        case "warn", "warning": .warning
        case "error": .error
        case "dpanic", "panic", "fatal": .critical
        default: nil
        }
    }
}

/// A log specification that cannot be applied: the spec and what is wrong with it.
public struct LogSpecError: Error, CustomStringConvertible {
    public let spec: String
    public let reason: String
    public var description: String { "log spec \"\(spec)\": \(reason)" }
}
