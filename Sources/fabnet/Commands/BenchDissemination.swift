import ArgumentParser
import FabnetBench
import Foundation
import Orchestrator

/// `fabnet bench dissemination`: fabnet's gossip against Fabric's default gossip and against
/// direct delivery from the orderer, on real processes.
struct BenchDissemination: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dissemination",
        abstract: "How fast blocks reach every peer of an org, and at what cost: fabnet's gossip, Fabric's default gossip, direct delivery.",
        discussion: """
        One org of --peers peer processes and an orderer on 127.0.0.1 (the default network's Org1, \
        grown). The orderer cuts --blocks blocks of --block-size bytes, --rate per second, and \
        stamps each block's cut time; every peer records when it committed each block (both on \
        this machine's clock). Each mode runs on a fresh network:

          fabnet   fabnet's gossip with its defaults (one elected leader pulls from the orderer)
          fabric   Fabric's peer.gossip defaults (fanout 3, pull every 4 s, …), peer0 the static
                   leader, state transfer on (as up to Fabric 2.1; without it a peer that falls
                   out of the 10-block pull window never catches up)
          direct   every peer pulls every block from the orderer, push off (Fabric v3's way)

        Reported per mode: cut → commit at the last peer (per block) and at each peer (per peer \
        and block), p50 / p90 / p99 / max in ms; bytes each peer received (gossip and deliver, \
        all traffic) per block, as a multiple of the block's size; block copies received again; \
        the orderer's egress. --svg writes the latency CDFs as a picture; --json the full result.

        Examples:
          fabnet bench dissemination
          fabnet bench dissemination --peers 8 --blocks 100 --modes fabnet,direct --svg cdf.svg
        """
    )

    @Option(help: "Peers in the org.")
    var peers = 16

    @Option(help: "Blocks the orderer cuts (one transaction each).")
    var blocks = 200

    @Option(name: .customLong("block-size"), help: ArgumentHelp("Bytes of each block's transaction value.", valueName: "bytes"))
    var blockSize = 65536

    @Option(help: ArgumentHelp("Blocks per second.", valueName: "per-second"))
    var rate: Double = 20

    @Option(help: ArgumentHelp("Modes to run, comma-separated: fabnet, fabric, direct.", valueName: "list"))
    var modes = "fabnet,fabric,direct"

    @Option(help: ArgumentHelp("Write the latency CDFs as an SVG picture here (empty: none).", valueName: "file"))
    var svg = "dissemination.svg"

    @Option(help: ArgumentHelp("Seconds to wait for a network to be ready, and for every peer to commit every block.", valueName: "S"))
    var timeout: Double = 120

    @Flag(help: "Print the full result as JSON (raw latencies included).")
    var json = false

    /// One mode's summary next to its raw measurement.
    struct ModeResult: Encodable {
        let mode: String
        let title: String
        let lastPeerMilliseconds: Percentiles?
        let peerMilliseconds: Percentiles?
        let blockBytes: Double
        /// Bytes received per peer per block ÷ the block's size.
        let receivedPerPeerPerBlockOverBlock: Double
        let duplicatesPerPeerPerBlock: Double
        let ordererEgressBytes: Int
        /// Orderer egress ÷ (blocks × block size): 1 when only one peer pulls, P when all do.
        let ordererEgressOverBlocks: Double
        let seconds: Double
        let raw: DisseminationBench.Measurement
    }

    struct Result: Encodable {
        let peers: Int
        let blocks: Int
        let blockSize: Int
        let rate: Double
        let modes: [ModeResult]
    }

    var chosenModes: [DisseminationBench.Mode] {
        get throws {
            try modes.split(separator: ",").map { name in
                guard let mode = DisseminationBench.Mode(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("unknown mode '\(name)' in --modes; use fabnet, fabric, direct")
                }
                return mode
            }
        }
    }

    func validate() throws {
        guard peers >= 2 else { throw ValidationError("--peers must be at least 2 (dissemination needs someone to tell)") }
        guard blocks >= 1, blockSize >= 1 else { throw ValidationError("--blocks and --block-size must be at least 1") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        guard try !chosenModes.isEmpty else { throw ValidationError("--modes names no mode") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        try await Console.reportingErrors {
            let parameters = DisseminationBench.Parameters(peers: peers, blocks: blocks, blockSize: blockSize, rate: rate, timeout: timeout,
                                                           executable: UpCommand.executable())
            var results: [ModeResult] = []
            for mode in try chosenModes {
                let raw = try await DisseminationBench.run(mode, parameters) { Console.progress($0) }
                results.append(Self.summary(of: raw))
            }
            Console.progress("", done: false)
            let result = Result(peers: peers, blocks: blocks, blockSize: blockSize, rate: rate, modes: results)
            if !svg.isEmpty { try Self.chart(result).svg().write(toFile: svg, atomically: true, encoding: .utf8) }
            if json {
                print(try Console.json(result))
                return
            }
            print(Self.table(result))
            for line in Self.comparisons(result) { print(line) }
            if !svg.isEmpty { print("latency CDFs: \(svg)") }
        }
    }

    static func summary(of raw: DisseminationBench.Measurement) -> ModeResult {
        let perPeerBlock = Double(raw.peers * raw.blocks)
        return ModeResult(
            mode: raw.mode.rawValue, title: raw.mode.title,
            lastPeerMilliseconds: Percentiles(raw.lastPeerMilliseconds), peerMilliseconds: Percentiles(raw.peerMilliseconds.flatMap { $0 }),
            blockBytes: raw.blockBytes,
            receivedPerPeerPerBlockOverBlock: Double(raw.bytesReceived.reduce(0, +)) / perPeerBlock / raw.blockBytes,
            duplicatesPerPeerPerBlock: Double(raw.duplicates.reduce(0, +)) / perPeerBlock,
            ordererEgressBytes: raw.ordererEgressBytes,
            ordererEgressOverBlocks: Double(raw.ordererEgressBytes) / (Double(raw.blocks) * raw.blockBytes),
            seconds: raw.seconds, raw: raw)
    }

    static func table(_ result: Result) -> String {
        func ms(_ value: Double?) -> String { value.map { $0 >= 1000 ? String(format: "%.2f s", $0 / 1000) : String(format: "%.1f ms", $0) } ?? "-" }
        var rows = [["MODE", "LAST PEER p50", "p90", "p99", "max", "EACH PEER p50", "p99", "RECEIVED/BLOCK", "DUPLICATES", "ORDERER EGRESS"]]
        for mode in result.modes {
            rows.append([mode.title, ms(mode.lastPeerMilliseconds?.p50), ms(mode.lastPeerMilliseconds?.p90), ms(mode.lastPeerMilliseconds?.p99),
                         ms(mode.lastPeerMilliseconds?.max), ms(mode.peerMilliseconds?.p50), ms(mode.peerMilliseconds?.p99),
                         String(format: "%.2f×", mode.receivedPerPeerPerBlockOverBlock), String(format: "%.2f", mode.duplicatesPerPeerPerBlock),
                         String(format: "%.1f MB (%.1f× the blocks)", Double(mode.ordererEgressBytes) / 1e6, mode.ordererEgressOverBlocks)])
        }
        return Console.table(rows) + "\n\(result.peers) peers, \(result.blocks) blocks of \(result.blockSize) bytes at \(result.rate)/s; "
            + "RECEIVED/BLOCK: bytes a peer received (all gossip and deliver traffic) per block ÷ the block's size; "
            + "DUPLICATES: block copies a peer received again, per block"
    }

    /// fabnet against the others, in the terms.
    static func comparisons(_ result: Result) -> [String] {
        guard let fabnet = result.modes.first(where: { $0.mode == "fabnet" }), let ours = fabnet.lastPeerMilliseconds?.p99 else { return [] }
        var lines: [String] = []
        if let fabric = result.modes.first(where: { $0.mode == "fabric" })?.lastPeerMilliseconds?.p99 {
            lines.append(String(format: "p99 last peer: fabnet %.1f ms vs Fabric defaults %.1f ms: %.1f× faster", ours, fabric, fabric / ours))
        }
        if let direct = result.modes.first(where: { $0.mode == "direct" }), let theirs = direct.lastPeerMilliseconds?.p99 {
            lines.append(String(format: "p99 last peer: fabnet %.1f ms vs direct %.1f ms (%.2f×), orderer egress %.2f× of direct's",
                                ours, theirs, ours / theirs, Double(fabnet.ordererEgressBytes) / Double(max(1, direct.ordererEgressBytes))))
        }
        return lines
    }

    static func chart(_ result: Result) -> CDFChart {
        let colors = ["fabnet": "#1f77b4", "fabric": "#d62728", "direct": "#2ca02c"]
        var series: [CDFChart.Series] = []
        for mode in result.modes {
            let color = colors[mode.mode] ?? "#555"
            series.append(.init(label: "\(mode.title): each peer", color: color, values: mode.raw.peerMilliseconds.flatMap { $0 }, dashed: false))
            series.append(.init(label: "\(mode.title): last peer", color: color, values: mode.raw.lastPeerMilliseconds, dashed: true))
        }
        return CDFChart(title: "Block dissemination, \(result.peers) peers, \(result.blocks) blocks of \(result.blockSize) bytes at \(result.rate)/s",
                        series: series)
    }
}
