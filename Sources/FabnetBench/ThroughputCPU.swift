import Foundation
import Orchestrator

/// Where a throughput run's CPU went while the clients submitted: the cores each process kept
/// busy (user + system time from /proc over the submission window), and what one transaction
/// cost, split into its signature checks, its signatures and everything else.
///
/// Guarantees: `clients` is the bench's own process, which does nothing but the clients' work
/// in that window; a node whose process is gone counts 0; per-transaction figures divide busy
/// cores by the transactions accepted per second in the same window (in the steady state the
/// peers commit at that rate; their commits trail the submissions by about the p50 latency).
public struct ThroughputCPU: Sendable, Codable, Equatable {
    public let windowSeconds: Double
    /// Cores busy with the clients (this process), the orderer, and each peer.
    public let clientCores: Double
    public let ordererCores: Double
    public let peerCores: [Double]

    public var totalCores: Double { clientCores + ordererCores + peerCores.reduce(0, +) }

    /// Reads the CPU time of this process and `nodes` at the start of the window; `finish()`
    /// reads it again and gives the cores each kept busy.
    struct Meter {
        let nodes: [NetworkState.Node]
        let start: ContinuousClock.Instant
        let clientTicks: UInt64
        let nodeTicks: [UInt64]

        init(nodes: [NetworkState.Node]) {
            self.nodes = nodes
            clientTicks = Self.ticks(getpid())
            nodeTicks = nodes.map { $0.pid.map(Self.ticks) ?? 0 }
            start = .now
        }

        func finish() -> ThroughputCPU {
            let seconds = max((ContinuousClock.now - start).seconds, 1e-9)
            let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
            // A process gone by now reads 0 ticks: it counts 0.
            func cores(_ before: UInt64, _ after: UInt64) -> Double { Double(max(after, before) - before) / ticksPerSecond / seconds }
            let clients = cores(clientTicks, Self.ticks(getpid()))
            var orderer = 0.0, peers: [Double] = []
            for (node, before) in zip(nodes, nodeTicks) {
                let busy = node.pid.map { cores(before, Self.ticks($0)) } ?? 0
                if node.role == "orderer" { orderer += busy } else { peers.append(busy) }
            }
            return ThroughputCPU(windowSeconds: seconds, clientCores: clients, ordererCores: orderer, peerCores: peers)
        }

        private static func ticks(_ pid: Int32) -> UInt64 { ProcessStatus(pid: pid)?.cpuTicks ?? 0 }
    }
}

extension ThroughputBench.Measurement {
    /// One transaction's CPU milliseconds in all processes, by process, and by kind of work: V
    /// signature checks and S signatures at this machine's measured rates (each rate is for all
    /// cores, so one check costs cores ÷ rate core-seconds), and everything else.
    public struct TransactionCost: Sendable, Equatable, Encodable {
        public let total: Double
        public let clients: Double
        public let orderer: Double
        public let peers: Double
        public let signatureChecks: Double
        public let signing: Double
        public var rest: Double { total - signatureChecks - signing }

        enum CodingKeys: String, CodingKey { case total, clients, orderer, peers, signatureChecks, signing, rest }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            for (key, value) in [(CodingKeys.total, total), (.clients, clients), (.orderer, orderer), (.peers, peers),
                                 (.signatureChecks, signatureChecks), (.signing, signing), (.rest, rest)] {
                try container.encode(value, forKey: key)
            }
        }
    }

    /// CPU milliseconds per transaction for `cores` busy during the submission.
    public func milliseconds(_ cores: Double) -> Double {
        cores * 1000 / max(acceptedPerSecond, 1e-9)
    }

    public func transactionCost(cores: Int = ProcessInfo.processInfo.activeProcessorCount) -> TransactionCost? {
        guard let cpu else { return nil }
        let machine = Double(cores) * 1000
        return TransactionCost(total: milliseconds(cpu.totalCores), clients: milliseconds(cpu.clientCores),
                               orderer: milliseconds(cpu.ordererCores), peers: milliseconds(cpu.peerCores.reduce(0, +)),
                               signatureChecks: Double(verificationsPerTransaction) * machine / max(verificationsPerSecond, 1e-9),
                               signing: Double(signaturesPerTransaction) * machine / max(signaturesPerSecond, 1e-9))
    }
}
