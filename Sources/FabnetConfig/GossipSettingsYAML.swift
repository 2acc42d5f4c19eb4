import FabnetModel

/// Writes gossip settings as a core.yaml fragment (`peer: gossip: …`) that
/// `GossipSettingsLoader` reads back to the same settings.
///
/// Guarantees: only keys whose value differs from `base` are written (the loader starts from
/// fabnet's defaults, and a zero duration in core.yaml means "the default", so unchanged keys
/// are best left out); loading the text over `base` gives back `settings`.
public enum GossipSettingsYAML {
    public static func render(_ settings: GossipSettings, over base: GossipSettings = .fabnetDefaults) -> String {
        // Nested as core.yaml nests them: `election.leaderAliveThreshold` under `election:`.
        var lines = ["peer:", "  gossip:"]
        var openSection: String?
        for key in GossipSettings.keys where key.value(in: settings) != key.value(in: base) {
            let parts = key.name.split(separator: ".").map(String.init)
            let section = parts.count > 1 ? parts.dropLast().joined(separator: ".") : nil
            if section != openSection, let section {
                var indent = "    "
                for (depth, part) in section.split(separator: ".").enumerated() where depth >= commonDepth(openSection, section) {
                    indent = String(repeating: "  ", count: depth + 2)
                    lines.append("\(indent)\(part):")
                }
            }
            openSection = section
            let indent = String(repeating: "  ", count: parts.count + 1)
            lines.append("\(indent)\(parts.last!): \(scalar(key.value(in: settings)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// How many leading components two dotted section names share.
    private static func commonDepth(_ a: String?, _ b: String) -> Int {
        guard let a else { return 0 }
        return zip(a.split(separator: "."), b.split(separator: ".")).prefix { $0 == $1 }.count
    }

    private static func scalar(_ value: GossipSettingValue) -> String {
        switch value {
        case .duration, .int, .bool: return value.description
        case .string(let text): return quoted(text)
        case .strings(let items): return "[" + items.map(quoted).joined(separator: ", ") + "]"
        }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
