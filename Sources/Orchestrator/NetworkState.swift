import FabnetConfig
import Foundation

/// The state folder of a running (or stopped) network, `.fabnet/` by default: `network.json`
/// (below), each node's home under `nodes/<name>/` and its log under `logs/<name>.log`.
///
/// Guarantees: `network.json` is written before any process starts and updated with each pid,
/// so `fabnet down` can always find what `up` started, even after `up` itself was killed.
public struct NetworkState: Sendable {
    /// The state folder every command uses without `--state`: `$FABNET_STATE` when set (so a
    /// CI job or a shell selects its network once), else `.fabnet` in the working directory.
    public static var defaultDirectoryPath: String {
        guard let path = ProcessInfo.processInfo.environment["FABNET_STATE"], !path.isEmpty else { return ".fabnet" }
        return path
    }

    /// ` --state DIR` for a command an error suggests, empty when DIR is what the command would
    /// use anyway (the default folder).
    public static func stateFlag(for directory: String) -> String {
        let standard = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        return standard(directory) == standard(defaultDirectoryPath) ? "" : " --state \(directory)"
    }

    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        /// `orderer` or `peer`.
        public var role: String
        public var mspID: String
        /// The name its certificate carries (what clients dial with; it listens on 127.0.0.1).
        public var host: String
        /// fabnet's framing (gossip, the peers' deliver and fabnet's own commands).
        public var port: Int
        /// Fabric's gRPC services: the orderer's AtomicBroadcast, a peer's Deliver.
        public var grpcPort: Int?
        public var operationsPort: Int
        public var pid: Int32?
        /// When the process started (clock ticks since boot, from /proc): with the pid, it tells
        /// this node's process from a later one that got the same pid.
        public var startTime: UInt64?

        /// Records a freshly spawned process.
        public mutating func record(_ pid: Int32) {
            self.pid = pid
            startTime = ProcessStatus(pid: pid)?.startTime
        }
    }

    public struct Manifest: Codable, Sendable, Equatable {
        /// The state folder's format: 2 since nodes keep Fabric's blocks; absent in folders of
        /// older fabnets, whose ledgers hold fabnet's own blocks (refused, see `load`).
        public var format: Int?
        public static let currentFormat = 2
        /// Where the description came from, and a digest of its resolved content.
        public var source: String
        public var descriptionDigest: String
        public var cryptoDirectory: String
        public var basePort: Int
        /// Whether gRPC listens on the description's ports (no `--base-port` was given).
        public var describedGRPCPorts: Bool?
        public var channels: [String]
        public var nodes: [Node]
        /// What `up` made on disk (absent in state folders of older fabnet versions).
        public var created: CreatedPaths?
    }

    public let directory: URL
    public static let manifestName = "network.json"

    public init(directory: URL) { self.directory = directory }

    public var manifestFile: URL { directory.appendingPathComponent(Self.manifestName) }
    public func home(of node: String) -> URL { directory.appendingPathComponent("nodes/\(node)") }
    public func logFile(of node: String) -> URL { directory.appendingPathComponent("logs/\(node).log") }

    /// The last `lines` lines of `node`'s log (for failure messages).
    public func logTail(of node: String, lines: Int = 20) -> String {
        let text = (try? String(contentsOf: logFile(of: node), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    public func load() throws -> Manifest? {
        guard let data = try? Data(contentsOf: manifestFile) else { return nil }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw OrchestratorError.state("\(manifestFile.path) is unreadable (\(error)); remove \(directory.path) and run `fabnet up` again")
        }
    }

    /// Writes `network.json` (atomically). `compact` skips pretty printing and key sorting: for
    /// the save after each spawn, which big networks repeat once per node (100 peers: 101 saves
    /// of a 100-node file), where the readable form is written once at the end.
    public func save(_ manifest: Manifest, compact: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        if !compact { encoder.outputFormatting = [.prettyPrinted, .sortedKeys] }
        try encoder.encode(manifest).write(to: manifestFile, options: .atomic)
    }

    /// Whether `node`'s recorded process still runs: the pid is alive, not a zombie, and is the
    /// process recorded (same start time; for manifests without one, a command line naming
    /// this node's home).
    public func isRunning(_ node: Node) -> Bool {
        guard let pid = node.pid, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let status = ProcessStatus(pid: pid) else { return true }
        guard !status.isZombie else { return false }
        if let startTime = node.startTime { return status.startTime == startTime }
        guard let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")), !cmdline.isEmpty else { return true }
        let arguments = String(decoding: cmdline, as: UTF8.self).split(separator: "\0").map(String.init)
        return arguments.contains(home(of: node.name).path)
    }
}

/// What stops `up`, `down` or `status`, with what to do about it.
public enum OrchestratorError: Error, CustomStringConvertible {
    case state(String)
    case portInUse(port: Int, node: String, basePort: Int)
    case timeout(String)
    case basePortOutOfRange(basePort: Int, ports: Int)
    case basePortDiffers(recorded: Int, requested: Int, state: String)

    public var description: String {
        switch self {
        case .state(let text): return text
        case let .portInUse(port, node, basePort):
            return "port \(port) (for \(node)) is in use; stop what uses it or pick another block of ports with --base-port (now \(basePort))"
        case .timeout(let text): return text
        case let .basePortOutOfRange(basePort, ports):
            return "--base-port \(basePort) does not fit: the network needs \(ports) ports from it (\(basePort)–\(basePort + ports - 1)), "
                + "and ports run from 1 to 65535; pick a base port from 1024 to \(65_536 - ports)"
        case let .basePortDiffers(recorded, requested, state):
            return "the network in \(state) uses ports from \(recorded); --base-port \(requested) would move it. "
                + "Run `fabnet up` without --base-port to start it on its ports, or `fabnet down --clean` first to make it anew from \(requested)"
        }
    }
}

/// A process's state and start time from `/proc/<pid>/stat` (Linux).
public struct ProcessStatus: Sendable {
    public let isZombie: Bool
    /// Clock ticks after boot when the process started (set at fork, so known at once).
    public let startTime: UInt64
    /// User + system CPU time the process used so far, in clock ticks.
    public let cpuTicks: UInt64

    public init?(pid: Int32) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (command)": state is the first field, utime the 12th, stime the 13th,
        // starttime the 20th.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let startTime = UInt64(fields[19]), let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        isZombie = fields[0] == "Z" || fields[0] == "X"
        self.startTime = startTime
        cpuTicks = user + system
    }
}
