import ArgumentParser

/// `fabnet bench …`: measurements, run by hand (CI runs each once in a tiny mode).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure fabnet against its alternatives.",
        discussion: """
        Examples:
          fabnet bench ledger
          fabnet bench up --orgs 2 --peers-per-org 50 --runs 5
          fabnet bench throughput --via orderer --seconds 5 --json
          fabnet bench chaos --minutes 1 --seed 7
        """,
        subcommands: [BenchCrypto.self, BenchLedger.self, BenchUp.self, BenchIdle.self, BenchDissemination.self, BenchCatchup.self, BenchThroughput.self, BenchChaos.self, BenchFollowerPath.self]
    )
}
