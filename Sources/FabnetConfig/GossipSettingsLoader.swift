import FabnetModel
import Foundation

/// Gossip settings after layering, with where each value came from.
public struct ResolvedGossipSettings: Sendable {
    /// Where a setting's value came from, in increasing precedence.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case defaultValue
        case coreYAML(SourceLocation)
        case environment(String)

        public var description: String {
            switch self {
            case .defaultValue: return "default"
            case .coreYAML(let location): return "core.yaml (\(location))"
            case .environment(let name): return "$\(name)"
            }
        }
    }

    public let settings: GossipSettings
    /// Key name (as in `GossipSettingKey.name`) → source; keys not listed come from the defaults.
    public let sources: [String: Source]
    public let warnings: [ConfigIssue]

    public func source(of key: String) -> Source { sources[key] ?? .defaultValue }
}

/// Loads `peer.gossip.*` the way a Fabric peer does: defaults, then an optional core.yaml, then
/// `CORE_PEER_GOSSIP_*` environment variables (env > core.yaml > default).
///
/// Differences from Fabric, on purpose: a negative value, a value below a key's minimum, or text
/// that is not of the key's type is an error naming the key and its source (Fabric silently
/// falls back or fails deep inside); `0` for a duration means "use the default", as in Fabric,
/// and is reported as a warning. `useLeaderElection` and `orgLeader` both true is an error.
public enum GossipSettingsLoader {
    public static func load(
        coreYAML: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        defaults: GossipSettings = .fabnetDefaults
    ) throws -> ResolvedGossipSettings {
        let root = try coreYAML.map { try YAMLLoader.load(file: $0, displayName: $0.relativePath) }
        return try load(coreYAML: root, environment: environment, defaults: defaults)
    }

    public static func load(
        coreYAML root: YAMLNode?, environment: [String: String], defaults: GossipSettings = .fabnetDefaults
    ) throws -> ResolvedGossipSettings {
        let diagnostics = Diagnostics()
        var settings = defaults
        var sources: [String: ResolvedGossipSettings.Source] = [:]
        if let root, let gossip = root["peer"]?["gossip"], !gossip.isNull {
            if gossip.mappingPairs == nil {
                diagnostics.error("expected a mapping but found \(gossip.kindDescription)", at: gossip.location, key: "peer.gossip")
            }
            for key in GossipSettings.keys {
                guard let node = lookup(key.name, in: gossip), !node.isNull else { continue }
                let value: GossipSettingValue?
                if key.kind == .strings, let items = node.sequenceItems {
                    value = .strings(items.compactMap(\.scalar))
                } else if let text = node.scalar {
                    value = parse(text, for: key, defaults: defaults, at: node.location, source: key.fullName, diagnostics: diagnostics)
                } else {
                    diagnostics.error("expected a value but found \(node.kindDescription)", at: node.location, key: key.fullName)
                    value = nil
                }
                if let value {
                    key.apply(value, to: &settings)
                    sources[key.name] = .coreYAML(node.location)
                }
            }
            warnUnknownKeys(in: gossip, prefix: "", diagnostics: diagnostics)
        }
        let known = Set(GossipSettings.keys.map(\.environmentVariable))
        for key in GossipSettings.keys {
            guard let text = environment[key.environmentVariable] else { continue }
            let place = SourceLocation(file: "$\(key.environmentVariable)")
            if let value = parse(text, for: key, defaults: defaults, at: place, source: key.environmentVariable, diagnostics: diagnostics) {
                key.apply(value, to: &settings)
                sources[key.name] = .environment(key.environmentVariable)
            }
        }
        for name in environment.keys.sorted() where name.hasPrefix("CORE_PEER_GOSSIP_") && !known.contains(name) {
            let suggestion = known.min { editDistance($0, name) < editDistance($1, name) }
            diagnostics.warning("environment variable \(name) names no peer.gossip key and is ignored",
                                at: SourceLocation(file: "$\(name)"), key: name,
                                hint: suggestion.map { "did you mean \($0)?" })
        }
        check(settings, sources: sources, diagnostics: diagnostics)
        try diagnostics.throwIfErrors()
        return ResolvedGossipSettings(settings: settings, sources: sources, warnings: diagnostics.issues)
    }

    /// Follows a dotted key (`election.leaderAliveThreshold`) through nested mappings.
    static func lookup(_ dotted: String, in node: YAMLNode) -> YAMLNode? {
        var current: YAMLNode? = node
        for part in dotted.split(separator: ".") { current = current?[String(part)] }
        return current
    }

    static func warnUnknownKeys(in node: YAMLNode, prefix: String, diagnostics: Diagnostics) {
        let known = Set(GossipSettings.keys.map(\.name))
        for (key, value) in node.mappingPairs ?? [] {
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if known.contains(name) { continue }
            if value.mappingPairs != nil, known.contains(where: { $0.hasPrefix(name + ".") }) {
                warnUnknownKeys(in: value, prefix: name, diagnostics: diagnostics)
                continue
            }
            let suggestion = known.min { editDistance($0, name) < editDistance($1, name) }
            diagnostics.warning("unknown key peer.gossip.\(name) is ignored", at: value.location, key: "peer.gossip.\(name)",
                                hint: suggestion.map { "did you mean peer.gossip.\($0)?" })
        }
    }

    static func parse(_ text: String, for key: GossipSettingKey, defaults: GossipSettings, at location: SourceLocation,
                      source: String, diagnostics: Diagnostics) -> GossipSettingValue? {
        let trimmed = text.trimmingWhitespace()
        switch key.kind {
        case .string:
            guard key.choices.isEmpty || key.choices.contains(trimmed) else {
                diagnostics.error("'\(text)' is not one of \(key.choices.joined(separator: ", "))", at: location, key: source,
                                  hint: "write \(key.choices.joined(separator: " or "))")
                return nil
            }
            return .string(trimmed)
        case .strings:
            return .strings(trimmed.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init))
        case .bool:
            if trimmed.isEmpty { return .bool(false) }
            guard let value = parseBool(trimmed) else {
                diagnostics.error("cannot read '\(text)' as true or false", at: location, key: source, hint: "write true or false")
                return nil
            }
            return .bool(value)
        case .int:
            guard let value = Int(trimmed) else {
                diagnostics.error("cannot read '\(text)' as a whole number", at: location, key: source)
                return nil
            }
            guard value >= key.minimum else {
                diagnostics.error("must be at least \(key.minimum), found \(value)", at: location, key: source)
                return nil
            }
            return .int(value)
        case .duration:
            guard let value = trimmed.isEmpty ? .zero : GoDuration.parse(trimmed) else {
                diagnostics.error("cannot read '\(text)' as a duration", at: location, key: source,
                                  hint: "write a number with a unit, such as 5s, 500ms or 1m")
                return nil
            }
            guard value >= .zero else {
                diagnostics.error("must not be negative, found \(text)", at: location, key: source)
                return nil
            }
            if value == .zero {
                let fallback = key.value(in: defaults)
                diagnostics.warning("0 means 'use the default' (as in Fabric): \(fallback)", at: location, key: source)
                return fallback
            }
            return .duration(value)
        }
    }

    static func check(_ settings: GossipSettings, sources: [String: ResolvedGossipSettings.Source], diagnostics: Diagnostics) {
        if settings.useLeaderElection, settings.orgLeader {
            let election = sources["useLeaderElection"] ?? .defaultValue
            let leader = sources["orgLeader"] ?? .defaultValue
            diagnostics.error(
                "peer.gossip.useLeaderElection (from \(election)) and peer.gossip.orgLeader (from \(leader)) are both true",
                at: nil, key: "peer.gossip.useLeaderElection, peer.gossip.orgLeader",
                hint: "a peer is either elected (useLeaderElection: true) or a static leader (orgLeader: true); set one of them to false")
        }
        if settings.pullInterval <= settings.digestWaitTime + settings.responseWaitTime {
            diagnostics.warning(
                "pullInterval (\(GoDuration.format(settings.pullInterval))) should exceed digestWaitTime + responseWaitTime (\(GoDuration.format(settings.digestWaitTime + settings.responseWaitTime)))",
                at: nil, key: "peer.gossip.pullInterval", hint: "raise pullInterval or shorten the wait times")
        }
    }
}
