import ArgumentParser

/// `fabnet bench …`: measurements, run by hand (CI runs each once in a tiny mode).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure fabnet against its alternatives.",
        subcommands: [BenchCrypto.self, BenchLedger.self, BenchUp.self, BenchIdle.self, BenchDissemination.self, BenchCatchup.self, BenchThroughput.self, BenchFollowerPath.self]
    )
}
