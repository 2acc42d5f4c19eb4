/// A network address as a description names it: a host name (or IP literal) and a TCP port.
///
/// Guarantees: `port` is in 1...65535 and `host` is non-empty and has no whitespace or colon
/// (IPv6 literals are written in brackets, `[::1]:7051`, and stored without them).
public struct Endpoint: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let host: String
    public let port: Int

    public static let validPorts = 1...65535

    /// Creates an endpoint, or returns `nil` when the host is empty or the port out of range.
    public init?(host: String, port: Int) {
        guard Endpoint.validPorts.contains(port), Endpoint.isValidHost(host) else { return nil }
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (or `[v6]:port`). Returns `nil` when it is not of that shape.
    public init?(parsing text: String) {
        // Index scans, not `drop(while:).reversed()`: that chain of generic views cost each
        // process about 0.5 ms of type metadata on first use.
        var start = text.startIndex, end = text.endIndex
        while start < end, text[start].isWhitespace { start = text.index(after: start) }
        while end > start, text[text.index(before: end)].isWhitespace { end = text.index(before: end) }
        let trimmed = text[start..<end]
        let host: Substring
        let portText: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { return nil }
            host = trimmed[..<colon]
            portText = trimmed[trimmed.index(after: colon)...]
        }
        guard let port = Int(portText) else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
        (lhs.host, lhs.port) < (rhs.host, rhs.port)
    }

    static func isValidHost(_ host: String) -> Bool {
        !host.isEmpty && !host.contains(where: { $0.isWhitespace || $0 == "/" })
    }
}
