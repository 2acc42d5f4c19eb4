/// One problem found in a network description: what is wrong, where, under which key, and what
/// to do about it. Errors stop the network from loading; warnings are printed and loading goes on.
public struct ConfigIssue: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Sendable, Codable { case error, warning }

    public let severity: Severity
    public let location: SourceLocation?
    /// The key path inside the document, such as `Organizations[1].AnchorPeers[0].Port`.
    public let key: String?
    public let message: String
    /// What the user can do to fix it.
    public let hint: String?

    public init(
        _ severity: Severity, at location: SourceLocation?, key: String?, _ message: String,
        hint: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.key = key
        self.message = message
        self.hint = hint
    }

    /// `file:line:col: error: Key.Path: message (hint)` on one or two lines.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        text += "\(severity.rawValue): "
        if let key, !key.isEmpty { text += "\(key): " }
        text += message
        if let hint { text += "\n    fix: \(hint)" }
        return text
    }
}

/// Thrown when a description has at least one error. Carries every issue found (errors and
/// warnings), not only the first, so the user can fix them all in one go.
public struct ConfigLoadError: Error, Sendable, CustomStringConvertible {
    public let issues: [ConfigIssue]

    public init(issues: [ConfigIssue]) { self.issues = issues }

    public var errors: [ConfigIssue] { issues.filter { $0.severity == .error } }

    public var description: String {
        let count = errors.count
        let lines = issues.map(\.description).joined(separator: "\n")
        return "\(lines)\n\(count) error\(count == 1 ? "" : "s") in the network description"
    }
}

/// Collects issues while a document is read, so reading can go on past the first problem.
public final class Diagnostics {
    public private(set) var issues: [ConfigIssue] = []

    public init() {}

    public var hasErrors: Bool { issues.contains { $0.severity == .error } }

    public func error(_ message: String, at location: SourceLocation?, key: String?, hint: String? = nil) {
        record(ConfigIssue(.error, at: location, key: key, message, hint: hint))
    }

    public func warning(_ message: String, at location: SourceLocation?, key: String?, hint: String? = nil) {
        record(ConfigIssue(.warning, at: location, key: key, message, hint: hint))
    }

    /// Records an issue once: a section reached twice through a YAML alias reports its problem once.
    private func record(_ issue: ConfigIssue) {
        let repeated = issues.contains {
            $0.severity == issue.severity && $0.message == issue.message && $0.location == issue.location && issue.location?.line != nil
        }
        if !repeated { issues.append(issue) }
    }

    public func append(contentsOf other: [ConfigIssue]) { issues.append(contentsOf: other) }

    /// Throws `ConfigLoadError` if any error was recorded.
    public func throwIfErrors() throws {
        if hasErrors { throw ConfigLoadError(issues: issues) }
    }
}
