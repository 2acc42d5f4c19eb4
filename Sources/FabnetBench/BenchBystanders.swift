import Foundation

/// fabnet nodes that already run on this machine when a benchmark starts. Another network's
/// peers and orderer take CPU the benchmark's own nodes need, so its figures come out worse
/// without saying why: a 100-peer network left up by hand (0.6 cores while idle) skewed a
/// session's measurements before anyone noticed.
///
/// Guarantees: only reads `/proc` (on a system without it, finds nothing); never stops or
/// signals anything; a process counts when its command line is `fabnet… peer start …` or
/// `fabnet… orderer start …` (any path, any executable name starting with "fabnet").
public enum BenchBystanders {
    /// A node process found running, with the home it was started with.
    public struct Node: Sendable, Equatable {
        public let pid: Int32
        /// `--home`'s value, when given.
        public let home: String?
    }

    /// The nodes running now, in pid order.
    public static func running(processes: URL = URL(fileURLWithPath: "/proc")) -> [Node] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: processes.path) else { return [] }
        return names.compactMap(Int32.init).sorted().compactMap { pid in
            guard let data = try? Data(contentsOf: processes.appendingPathComponent("\(pid)/cmdline")), !data.isEmpty else { return nil }
            let arguments = data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            return node(pid: pid, arguments: arguments)
        }
    }

    /// The node a command line starts, or nil when it starts none.
    static func node(pid: Int32, arguments: [String]) -> Node? {
        guard arguments.count >= 3, URL(fileURLWithPath: arguments[0]).lastPathComponent.hasPrefix("fabnet"),
              ["peer", "orderer"].contains(arguments[1]), arguments[2] == "start" else { return nil }
        let home = arguments.firstIndex(of: "--home").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
        return Node(pid: pid, home: home)
    }

    /// What to tell the user about `nodes`, or nil when there are none: how many, which state
    /// folders hold them (a home is `<state>/nodes/<name>`), and how to stop them.
    public static func warning(for nodes: [Node]) -> String? {
        guard !nodes.isEmpty else { return nil }
        var states: [String] = []
        for node in nodes {
            guard let home = node.home else { continue }
            let state = URL(fileURLWithPath: home).deletingLastPathComponent().deletingLastPathComponent().path
            if !states.contains(state) { states.append(state) }
        }
        let stop = states.isEmpty
            ? "stop them (pids \(nodes.prefix(5).map { String($0.pid) }.joined(separator: ", "))\(nodes.count > 5 ? ", …" : ""))"
            : "stop them with " + states.prefix(3).map { "`fabnet down --state \($0)`" }.joined(separator: ", ") + (states.count > 3 ? ", …" : "")
        return "warning: \(nodes.count) fabnet node(s) of another network already run on this machine; "
            + "they take CPU this benchmark's nodes need and skew its figures: \(stop), then run it again"
    }

    /// Prints `warning(for: running())` to standard error, if there is one.
    public static func warnIfAny() {
        guard let text = warning(for: running()) else { return }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
