import Foundation
import OperationsEndpoint
import Orchestrator

/// A node's `/metrics` (Prometheus text format) read into numbers: each sample by its name
/// with labels as written (`fabnet_ledger_height{channel="mychannel"}`), comments skipped.
public struct MetricsText: Sendable {
    public let samples: [String: Double]

    public init(parsing text: String) {
        var samples: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        self.samples = samples
    }

    /// Reads a node's `/metrics` from its operations port on 127.0.0.1.
    public static func fetch(port: Int) async throws -> MetricsText {
        let response = try await HTTPProbe.get(port: port, path: "/metrics", timeout: 5)
        guard response.status == 200 else { throw OrchestratorError.state("GET /metrics on port \(port) answered \(response.status)") }
        return MetricsText(parsing: response.body)
    }

    /// The sample's value (0 when absent: counters not incremented yet).
    public subscript(_ sample: String) -> Double { samples[sample] ?? 0 }
}
