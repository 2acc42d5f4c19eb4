/// Typed, error-collecting access to one YAML mapping of a description.
///
/// Every accessor reports a problem (wrong type, unparseable value, missing required key) to the
/// shared `Diagnostics` with the file position and the full key path, then returns `nil`, so the
/// caller keeps reading and the user sees every problem at once.
struct MappingReader {
    let node: YAMLNode
    let path: String
    let diagnostics: Diagnostics

    /// Wraps `node`; reports an error and returns `nil` when it is not a mapping.
    init?(_ node: YAMLNode, path: String, diagnostics: Diagnostics, what: String) {
        guard node.mappingPairs != nil else {
            diagnostics.error("expected \(what) (a mapping of keys to values) but found \(node.kindDescription)",
                              at: node.location, key: path)
            return nil
        }
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The location of a key's value, or of the mapping when the key is absent.
    func location(of key: String) -> SourceLocation { node[key]?.location ?? node.location }

    func has(_ key: String) -> Bool { node[key].map { !$0.isNull } ?? false }

    func child(_ key: String) -> YAMLNode? {
        guard let value = node[key], !value.isNull else { return nil }
        return value
    }

    func error(_ key: String?, _ message: String, hint: String? = nil) {
        let place = key.map(location(of:)) ?? node.location
        diagnostics.error(message, at: place, key: key.map(keyPath) ?? path, hint: hint)
    }

    func string(_ key: String, required: Bool = false, hint: String? = nil) -> String? {
        guard let value = child(key) else {
            if required { error(key, "required key '\(key)' is missing", hint: hint) }
            return nil
        }
        guard let text = value.scalar else {
            error(key, "expected a text value but found \(value.kindDescription)")
            return nil
        }
        if required, text.trimmingWhitespace().isEmpty {
            error(key, "'\(key)' is empty", hint: hint)
            return nil
        }
        return text
    }

    func int(_ key: String, required: Bool = false) -> Int? {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Int(text.trimmingWhitespace()) else {
            error(key, "expected a whole number but found '\(text)'")
            return nil
        }
        return value
    }

    /// A count that must be at least `minimum` (1 unless said otherwise).
    func count(_ key: String, minimum: Int = 1, required: Bool = false) -> Int? {
        guard let value = int(key, required: required) else { return nil }
        guard value >= minimum else {
            error(key, "must be at least \(minimum), found \(value)",
                  hint: minimum == 1 ? "use a positive number, or remove the key" : nil)
            return nil
        }
        return value
    }

    func bool(_ key: String) -> Bool? {
        guard let text = string(key) else { return nil }
        guard let value = parseBool(text) else {
            error(key, "expected true or false but found '\(text)'")
            return nil
        }
        return value
    }

    func byteSize(_ key: String) -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = ByteSize.parse(text) else {
            error(key, "cannot read '\(text)' as a size", hint: "write a number with a unit, such as 99 MB, 512 KB or 1048576")
            return nil
        }
        return value
    }

    func duration(_ key: String) -> Duration? {
        guard let text = string(key) else { return nil }
        guard let value = GoDuration.parse(text), value > .zero else {
            error(key, "cannot read '\(text)' as a positive duration", hint: "write a number with a unit, such as 2s, 500ms or 1m30s")
            return nil
        }
        return value
    }

    func mapping(_ key: String, what: String) -> MappingReader? {
        guard let value = child(key) else { return nil }
        return MappingReader(value, path: keyPath(key), diagnostics: diagnostics, what: what)
    }

    /// The items of a list with their key paths; reports an error when the value is not a list.
    func list(_ key: String) -> [(node: YAMLNode, path: String)]? {
        guard let value = child(key) else { return nil }
        guard let items = value.sequenceItems else {
            error(key, "expected a list but found \(value.kindDescription)", hint: "start each item with '- '")
            return nil
        }
        return items.enumerated().map { ($0.element, "\(keyPath(key))[\($0.offset)]") }
    }

    /// A list of text values (a single text value is read as a one-item list).
    func strings(_ key: String) -> [String]? {
        guard let value = child(key) else { return nil }
        if let text = value.scalar { return [text] }
        guard let items = list(key) else { return nil }
        return items.compactMap { item in
            guard let text = item.node.scalar else {
                diagnostics.error("expected a text value but found \(item.node.kindDescription)", at: item.node.location, key: item.path)
                return nil
            }
            return text
        }
    }

    /// Warns about keys the reader does not know, which are usually typos.
    func warnUnknownKeys(known: Set<String>) {
        for (key, value) in node.mappingPairs ?? [] where !known.contains(key) {
            let suggestion = known.min { editDistance($0.lowercased(), key.lowercased()) < editDistance($1.lowercased(), key.lowercased()) }
            let close = suggestion.map { editDistance($0.lowercased(), key.lowercased()) <= 2 } ?? false
            diagnostics.warning("unknown key '\(key)' is ignored", at: value.location, key: keyPath(key),
                                hint: close ? "did you mean '\(suggestion!)'?" : nil)
        }
    }
}

/// Booleans as YAML and Go's strconv write them.
func parseBool(_ text: String) -> Bool? {
    switch text.trimmingWhitespace().lowercased() {
    case "true", "t", "1", "yes", "y", "on": return true
    case "false", "f", "0", "no", "n", "off": return false
    default: return nil
    }
}

/// Levenshtein distance, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
