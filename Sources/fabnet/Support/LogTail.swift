import Foundation
import Orchestrator

/// Follows every node's log with a coloured `name |` prefix (as docker compose does) until
/// SIGINT or SIGTERM, then stops the network gracefully.
enum LogTail {
    static func follow(state: NetworkState, manifest: NetworkState.Manifest) async throws {
        let stop = AsyncStream.makeStream(of: Void.self)
        let watcher = SignalWatcher { _ in stop.continuation.finish() }
        defer { watcher.cancel() }
        let width = manifest.nodes.map(\.name.count).max() ?? 0
        let colours = [36, 33, 32, 35, 34, 31, 96, 93, 92, 95, 94]
        let terminal = isatty(STDOUT_FILENO) == 1
        let prefixes = manifest.nodes.enumerated().map { index, node in
            let padded = node.name.padding(toLength: width, withPad: " ", startingAt: 0)
            return terminal ? "\u{1B}[\(colours[index % colours.count])m\(padded) |\u{1B}[0m " : "\(padded) | "
        }
        let follower = Task {
            var offsets = [UInt64](repeating: 0, count: manifest.nodes.count)
            var partial = [String](repeating: "", count: manifest.nodes.count)
            while !Task.isCancelled {
                var any = false
                for (index, node) in manifest.nodes.enumerated() {
                    guard let handle = try? FileHandle(forReadingFrom: state.logFile(of: node.name)) else { continue }
                    defer { try? handle.close() }
                    try? handle.seek(toOffset: offsets[index])
                    guard let data = try? handle.readToEnd(), !data.isEmpty else { continue }
                    any = true
                    offsets[index] += UInt64(data.count)
                    let text = partial[index] + String(decoding: data, as: UTF8.self)
                    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                    partial[index] = String(lines.removeLast())
                    for line in lines { print(prefixes[index] + line) }
                }
                fflush(nil)
                if !any { try? await Task.sleep(for: .milliseconds(100)) }
            }
        }
        for await _ in stop.stream {}
        follower.cancel()
        Console.error("stopping the network…")
        let killed = NetworkStopper(state: state).stop(manifest)
        Console.error("stopped\(killed.isEmpty ? "" : " (SIGKILL needed for \(killed.joined(separator: ", ")))")")
    }
}
