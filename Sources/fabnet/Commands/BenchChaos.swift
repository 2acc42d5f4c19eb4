import ArgumentParser
import FabnetBench
import Foundation
import Orchestrator

/// `fabnet bench chaos`: the default network under seeded faults while clients submit; then
/// proves every acknowledged transaction is on every peer and the peers agree.
struct BenchChaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Submit through the Gateways under seeded faults; prove nothing acknowledged is lost and every peer agrees.",
        discussion: """
        Starts the default network (orderer and 4 peers on 127.0.0.1). --clients clients submit \
        through the peers' Gateways for --minutes, each transaction the built-in contract's put \
        of its own key: Endorse, Submit, then CommitStatus. Every step goes to the history file \
        (JSON lines: invoke, then ok = VALID, fail = certainly not valid, info = unknown).

        Meanwhile faults drawn from --seed strike one at a time: kill -9 a peer or a whole org \
        and start it again, pause (SIGSTOP) a peer, an org or the orderer, partitions of a peer, \
        an org or the orderer that heal, and a kill -9 restart of the orderer. The same seed \
        gives the same schedule. Then everything heals, the clients stop, and the run waits \
        until every peer holds the orderer's height with the same blocks, validation flags and \
        world state (as `fabnet check`), and asks every peer's Gateway for every acknowledged \
        transaction (CommitStatus).

        Reported: transactions submitted, acknowledged, failed and unknown; acknowledged ones \
        missing on any peer (must be 0); divergent peers (must be 0); seconds from the later of \
        the last heal and the clients' last transaction until every peer agrees; each fault with \
        its times and what it is expected to stop (an org cut off under the channel's MAJORITY \
        Endorsement policy stops endorsement; the only orderer away stops ordering).

        Exit codes: 0 passed; 1 a promise was broken (an acknowledged transaction missing on a \
        peer, or a divergent peer); 2 the run could not judge (the peers never agreed, a heal \
        failed, nothing was acknowledged, a peer could not be asked). Unless it passed, the \
        network's folder is kept (its logs under state/logs/) and named in the report.

        Examples:
          fabnet bench chaos --minutes 1 --seed 7
          fabnet bench chaos --minutes 10 --seed 42 --json > chaos.json
          fabnet bench chaos --faults kill,partition --history ./history.jsonl
        """
    )

    @Option(help: ArgumentHelp("Minutes the clients submit under faults (fractions allowed: 0.5).", valueName: "M"))
    var minutes: Double = 10

    @Option(help: ArgumentHelp("The seed of the fault schedule (default: a random one, printed in the report).", valueName: "S"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("Fault kinds, comma-separated: \(ChaosSchedule.Kind.allCases.map(\.rawValue).joined(separator: ",")).", valueName: "kinds"))
    var faults: String = ChaosSchedule.Kind.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Clients, each on its own connection to one peer's Gateway (client i on peer i).")
    var clients = 4

    @Option(help: ArgumentHelp("Transactions each client has in flight.", valueName: "N"))
    var window = 4

    @Option(help: ArgumentHelp("The history file (default: fabnet-chaos-<seed>.jsonl in the temporary folder).", valueName: "path"))
    var history: String?

    @Option(help: ArgumentHelp("Seconds to wait for the network to start, a node to restart, and the peers to agree.", valueName: "S"))
    var timeout: Double = 120

    @Flag(help: "Print {seed, acknowledged, missing, divergentPeers, secondsToAgree, faults: [...], …} as JSON.")
    var json = false

    var kinds: [ChaosSchedule.Kind] {
        get throws {
            try faults.split(separator: ",").map { name in
                guard let kind = ChaosSchedule.Kind(rawValue: String(name)) else {
                    throw ValidationError("no fault kind \(name); the kinds are \(ChaosSchedule.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return kind
            }
        }
    }

    func validate() throws {
        guard minutes > 0, minutes.isFinite, minutes * 60 <= 24 * 3600 else { throw ValidationError("--minutes must be above 0 and at most a day, got \(minutes)") }
        guard clients >= 1, window >= 1 else { throw ValidationError("--clients and --window must be at least 1") }
        guard timeout > 0 else { throw ValidationError("--timeout must be above 0") }
        guard try !kinds.isEmpty else { throw ValidationError("--faults names no fault kind") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        let report = try await Console.reportingErrors {
            let seed = seed ?? UInt64.random(in: 1...999_999)
            let path = history.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-chaos-\(seed).jsonl")
            let parameters = ChaosBench.Parameters(seconds: minutes * 60, seed: seed, kinds: try kinds, clients: clients, window: window,
                                                   history: path, timeout: timeout, executable: UpCommand.executable())
            return try await ChaosBench.run(parameters) { Console.progress($0, done: true) }
        }
        if json {
            print(try Console.json(report))
        } else {
            print("chaos: seed \(report.seed), \(Int(report.seconds)) s, \(report.faults.count) faults" + (report.skippedFaults > 0 ? " (\(report.skippedFaults) left out: heals took longer than planned)" : ""))
            print(Console.table([["AT", "HEALED", "FAULT", "ACKNOWLEDGED", "FAILED", "UNKNOWN", "EXPECTED"]] + report.faults.map {
                [String(format: "%.1f s", $0.struckAt), String(format: "%.1f s", $0.healedAt), $0.description,
                 "\($0.acknowledgedDuring)", "\($0.failedDuring)", "\($0.unknownDuring)",
                 ($0.expected ?? "") + ($0.problems.isEmpty ? "" : " PROBLEMS: " + $0.problems.joined(separator: "; "))]
            }))
            print("transactions: \(report.submitted) submitted, \(report.acknowledged) acknowledged (VALID), \(report.failed) failed, \(report.unknown) unknown")
            print("acknowledged but missing on some peer: \(report.missing)" + report.missingExamples.map { "\n  \($0)" }.joined()
                  + " (looked up on \(report.peersLookedUp.count) peers" + (report.peersNotLookedUp.isEmpty ? ")" : "; not on \(report.peersNotLookedUp.joined(separator: ", ")))"))
            print("divergent peers: \(report.divergentPeers.count)" + report.divergences.map { "\n  \($0)" }.joined())
            if let seconds = report.secondsToAgree {
                print(String(format: "every peer agreed at height %d, %.2f s after the last heal and the clients' last transaction", Int(report.height ?? 0), seconds))
            }
            if let error = report.checkError { print("could not judge: \(error)") }
            if report.historyWriteFailures > 0 { print("\(report.historyWriteFailures) history lines could not be written: the history is incomplete") }
            print("history: \(report.history)")
            if let folder = report.keptFolder { print("kept: \(folder) (the nodes' logs under state/logs/)") }
        }
        switch report.verdict {
        case .passed: return
        case .broken:
            if !json { Console.error("chaos run failed: an acknowledged transaction is missing or a peer diverges (above)") }
            throw ExitCode.failure
        case .undecided:
            if !json { Console.error("chaos run could not judge: " + (report.acknowledged == 0 ? "nothing was acknowledged" : report.checkError ?? "a peer could not be asked")
                                     + "; rerun with the same --seed, and look at the kept folder's logs") }
            throw ExitCode(2)
        }
    }
}
