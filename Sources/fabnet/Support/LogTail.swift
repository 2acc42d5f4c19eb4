import Foundation
import Orchestrator

/// Prints nodes' logs with a coloured `name |` prefix (as docker compose does), merged in time
/// order, and follows them together until SIGINT or SIGTERM when asked.
enum LogTail {
    /// `up` in the foreground: every log from `offsets` (where each ended before this start;
    /// earlier runs' lines are not repeated), followed until a signal; then the network is
    /// stopped gracefully.
    static func follow(state: NetworkState, manifest: NetworkState.Manifest, from offsets: [String: UInt64]) async throws {
        try await print(state: state, nodes: manifest.nodes, tail: nil, follow: true, from: offsets, reportExits: true)
        Console.error("stopping the network…")
        let killed = NetworkStopper(state: state).stop(manifest)
        Console.error("stopped\(killed.isEmpty ? "" : " (SIGKILL needed for \(killed.joined(separator: ", ")))")")
    }

    /// Prints each log (its last `tail` lines, or all), then with `follow` new lines until a signal.
    /// With `reportExits`, a node process that exits while followed is reported on standard error
    /// ("peer1.org2.example.com exited (signal 9)"); a node started again (a new pid in
    /// `network.json`) is followed and reported too.
    static func print(state: NetworkState, nodes: [NetworkState.Node], tail: Int?, follow: Bool, from offsets: [String: UInt64] = [:],
                      reportExits: Bool = false) async throws {
        let width = nodes.map(\.name.count).max() ?? 0
        let colours = [36, 33, 32, 35, 34, 31, 96, 93, 92, 95, 94]
        let terminal = isatty(STDOUT_FILENO) == 1
        let prefixes = nodes.enumerated().map { index, node in
            let padded = node.name.padding(toLength: width, withPad: " ", startingAt: 0)
            return terminal ? "\u{1B}[\(colours[index % colours.count])m\(padded) |\u{1B}[0m " : "\(padded) | "
        }
        var readers = nodes.map { LineReader(file: state.logFile(of: $0.name), offset: offsets[$0.name] ?? 0) }
        var batches: [[String]] = []
        for index in readers.indices {
            let lines = readers[index].read()
            batches.append(Array(tail.map({ lines.suffix($0) }) ?? lines[...]))
        }
        for (index, line) in MergedLines.inTimeOrder(batches) { Swift.print(prefixes[index] + line) }
        fflush(nil)
        guard follow else { return }
        let stop = AsyncStream.makeStream(of: Void.self)
        let watcher = SignalWatcher { _ in stop.continuation.finish() }
        defer { watcher.cancel() }
        let follower = Task { [readers] in
            var readers = readers
            var exits = ExitWatch(state: state, nodes: nodes)
            while !Task.isCancelled {
                if reportExits {
                    for line in exits.poll() { Console.error(line) }
                }
                // What every log gained since the last poll, merged in time order.
                let merged = MergedLines.inTimeOrder(readers.indices.map { readers[$0].read() })
                let any = !merged.isEmpty
                for (index, line) in merged { Swift.print(prefixes[index] + line) }
                fflush(nil)
                if !any { try? await Task.sleep(for: .milliseconds(100)) }  // poll interval of a file follower
            }
        }
        for await _ in stop.stream {}
        follower.cancel()
    }

    /// Which followed nodes' processes exited since the last poll, as lines to print.
    struct ExitWatch {
        let state: NetworkState
        /// Pids seen running, by node name.
        var running: [String: Int32] = [:]
        var lastManifestRead = ContinuousClock.now
        var nodes: [NetworkState.Node]

        init(state: NetworkState, nodes: [NetworkState.Node]) {
            self.state = state
            self.nodes = nodes
            for node in nodes where state.isRunning(node) { running[node.name] = node.pid }
        }

        mutating func poll() -> [String] {
            // A node started again from another shell has a new pid in network.json.
            if ContinuousClock.now - lastManifestRead > .seconds(1), let manifest = try? state.load() {
                lastManifestRead = ContinuousClock.now
                nodes = manifest.nodes
            }
            var lines: [String] = []
            for node in nodes {
                let alive = state.isRunning(node)
                if alive, running[node.name] != node.pid { running[node.name] = node.pid }
                if !alive, let pid = running[node.name], pid == node.pid {
                    running[node.name] = nil
                    lines.append("\(node.name) exited (\(NodeExit.waitStatus(of: pid).replacingOccurrences(of: "killed by ", with: "")))")
                }
            }
            return lines
        }
    }

    /// Where each node's log ends now (to follow only what comes next).
    static func endOffsets(state: NetworkState, nodes: [String]) -> [String: UInt64] {
        var offsets: [String: UInt64] = [:]
        for node in nodes {
            let size = (try? FileManager.default.attributesOfItem(atPath: state.logFile(of: node).path)[.size] as? NSNumber)?.uint64Value
            offsets[node] = size ?? 0
        }
        return offsets
    }

    /// Reads the complete lines a growing file gained since the last read.
    struct LineReader: Sendable {
        let file: URL
        var offset: UInt64
        var partial = ""

        mutating func read() -> [String] {
            guard let handle = try? FileHandle(forReadingFrom: file) else { return [] }
            defer { try? handle.close() }
            try? handle.seek(toOffset: offset)
            guard let data = try? handle.readToEnd(), !data.isEmpty else { return [] }
            offset += UInt64(data.count)
            var lines = (partial + String(decoding: data, as: UTF8.self)).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            partial = lines.removeLast()
            return lines
        }
    }
}
