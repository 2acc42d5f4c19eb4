import Foundation
import Yams

/// A YAML document after anchors, aliases and `<<` merge keys are resolved, with the place every
/// node was written. Merge keys are resolved at every level, including inside list items; keys
/// written in a mapping win over merged ones, and among several merged mappings the first wins
/// (YAML 1.1's merge rules).
public struct YAMLNode: Sendable {
    public indirect enum Value: Sendable {
        case null
        case scalar(String)
        case mapping([(key: String, value: YAMLNode)])
        case sequence([YAMLNode])
    }

    public let value: Value
    public let location: SourceLocation

    public init(value: Value, location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The text of a scalar, `nil` for anything else.
    public var scalar: String? {
        if case .scalar(let text) = value { return text }
        return nil
    }

    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// A short name of the node's kind for error messages ("a mapping", "a list", …).
    public var kindDescription: String {
        switch value {
        case .null: return "nothing"
        case .scalar(let text): return "the value '\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    /// The value under `key` of a mapping (exact, case-sensitive match as in Fabric's files).
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let pairs) = value else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    public var mappingPairs: [(key: String, value: YAMLNode)]? {
        if case .mapping(let pairs) = value { return pairs }
        return nil
    }

    public var sequenceItems: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }
}

/// Reads YAML text or files into `YAMLNode` trees. Syntax errors and unknown aliases become
/// `ConfigLoadError`s that name file, line and column.
public enum YAMLLoader {
    /// Reads and parses a file. A missing or unreadable file is a `ConfigLoadError`.
    public static func load(file url: URL, displayName: String? = nil) throws -> YAMLNode {
        let name = displayName ?? url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            let exists = FileManager.default.fileExists(atPath: url.path)
            throw ConfigLoadError(issues: [ConfigIssue(
                .error, at: SourceLocation(file: name), key: nil,
                exists ? "cannot read the file as UTF-8 text" : "file not found",
                hint: exists ? "check its permissions and encoding"
                    : "check the path, or leave out -f to use the embedded default network")])
        }
        return try parse(text, file: name)
    }

    /// Parses YAML text; `file` names it in messages. An empty document is a null node.
    public static func parse(_ text: String, file: String) throws -> YAMLNode {
        let root: Node?
        do {
            let parser = try Parser(yaml: text, resolver: .default)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw ConfigLoadError(issues: [issue(from: error, file: file)])
        } catch {
            throw ConfigLoadError(issues: [ConfigIssue(
                .error, at: SourceLocation(file: file), key: nil, "cannot parse YAML: \(error)")])
        }
        guard let root else { return YAMLNode(value: .null, location: SourceLocation(file: file, line: 1, column: 1)) }
        return convert(root, file: file, depth: 0)
    }

    static func issue(from error: YamlError, file: String) -> ConfigIssue {
        func place(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _):
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            return ConfigIssue(.error, at: place(mark), key: nil, "YAML syntax error: \(detail)",
                               hint: "check indentation and quoting on this line and the one before")
        case let .composer(_, problem, mark, _):
            if problem.contains("undefined alias") {
                return ConfigIssue(.error, at: place(mark), key: nil, "unknown alias: \(problem)",
                                   hint: "define the anchor (&name) before the alias (*name) uses it, and check its spelling")
            }
            return ConfigIssue(.error, at: place(mark), key: nil, "YAML error: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            return ConfigIssue(.error, at: place(context.mark), key: nil,
                               "duplicate keys in one mapping: \(duplicates.joined(separator: ", "))",
                               hint: "keep one of each")
        case let .reader(problem, _, _, _):
            return ConfigIssue(.error, at: SourceLocation(file: file), key: nil, "cannot read YAML: \(problem)")
        default:
            return ConfigIssue(.error, at: SourceLocation(file: file), key: nil, "cannot parse YAML: \(error)")
        }
    }

    /// Aliases can make a small file describe a huge tree; this bounds the nesting we follow.
    static let maximumDepth = 64

    static func convert(_ node: Node, file: String, depth: Int) -> YAMLNode {
        let location = node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
            ?? SourceLocation(file: file)
        guard depth < maximumDepth else { return YAMLNode(value: .null, location: location) }
        switch node {
        case .scalar(let scalar):
            if node.tag.rawValue == Tag.Name.null.rawValue, scalar.style == .plain {
                return YAMLNode(value: .null, location: location)
            }
            return YAMLNode(value: .scalar(scalar.string), location: location)
        case .sequence(let sequence):
            return YAMLNode(value: .sequence(sequence.map { convert($0, file: file, depth: depth + 1) }),
                            location: location)
        case .mapping(let mapping):
            return YAMLNode(value: .mapping(mergedPairs(mapping, file: file, depth: depth)), location: location)
        case .alias:
            return YAMLNode(value: .null, location: location)
        }
    }

    /// Resolves `<<` keys: explicit keys first, then merged ones not already present.
    static func mergedPairs(_ mapping: Node.Mapping, file: String, depth: Int) -> [(key: String, value: YAMLNode)] {
        var explicit: [(key: String, value: YAMLNode)] = []
        var merged: [(key: String, value: YAMLNode)] = []
        for (keyNode, valueNode) in mapping {
            let key = keyNode.string ?? ""
            if keyNode.tag.rawValue == Tag.Name.merge.rawValue || key == "<<" {
                let sources: [Node]
                switch valueNode {
                case .mapping: sources = [valueNode]
                case .sequence(let items): sources = Array(items)
                default: sources = []
                }
                for source in sources {
                    guard case .mapping(let sourceMapping) = source else { continue }
                    merged.append(contentsOf: mergedPairs(sourceMapping, file: file, depth: depth + 1))
                }
            } else {
                explicit.append((key, convert(valueNode, file: file, depth: depth + 1)))
            }
        }
        var seen = Set(explicit.map(\.key))
        var result = explicit
        for pair in merged where !seen.contains(pair.key) {
            seen.insert(pair.key)
            result.append(pair)
        }
        return result
    }
}
