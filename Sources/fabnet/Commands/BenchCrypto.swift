import ArgumentParser
import FabnetConfig
import FabnetCrypto
import FabnetBench
import Foundation

/// `fabnet bench crypto`: fabnet's in-process generation against the `openssl` command line.
struct BenchCrypto: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Time making a network's material in process vs. with one openssl command per step.",
        discussion: """
        Each run makes the description's full material with fabnet into a fresh temporary folder, \
        then the same keys and certificates with the openssl CLI the way shell-based generators do \
        (per CA: genpkey + req -x509; per certificate: genpkey + req + x509 -req with an extension \
        file). Prints min / median / max of both over --runs and the ratio of medians, and fabnet's \
        time apart: in libcrypto (keys, signatures, PEM) and in the file system (the rest: folders, \
        reads, writes), which varies most from machine to machine.

        Example:
          swift build -c release && .build/release/fabnet bench crypto --runs 5
        """
    )

    @OptionGroup var network: NetworkOptions

    @Option(help: "How many times to run each path.")
    var runs = 3

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let spec = try network.load().spec
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-bench-crypto-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            var inProcess: [Double] = []
            var inLibcrypto: [Double] = []
            var commandLine: [Double] = []
            var counts = OpenSSLCommandLineBaseline.Counts()
            for run in 0..<runs {
                if !json { Console.error("run \(run + 1)/\(runs): fabnet…") }
                let fabnetDirectory = scratch.appendingPathComponent("fabnet-\(run)")
                let made = try Stopwatch.time { try CryptoMaterialGenerator(output: fabnetDirectory).generate(spec) }
                inProcess.append(made.seconds)
                inLibcrypto.append(made.result.cryptoSeconds)
                if !json { Console.error("run \(run + 1)/\(runs): openssl CLI…") }
                let baseline = OpenSSLCommandLineBaseline(directory: scratch.appendingPathComponent("openssl-\(run)"))
                let timed = try await Stopwatch.time { try await baseline.generate(spec) }
                counts = timed.result
                commandLine.append(timed.seconds)
            }
            let result = BenchCryptoResult(
                network: spec.source, certificates: counts.certificates, opensslProcesses: counts.processes, runs: runs,
                fabnetSeconds: Summary(inProcess), fabnetCryptoSeconds: Summary(inLibcrypto),
                fabnetFileSystemSeconds: Summary(zip(inProcess, inLibcrypto).map { $0 - $1 }), opensslCLISeconds: Summary(commandLine),
                speedup: Summary(commandLine).median / Summary(inProcess).median,
                speedupOfCrypto: Summary(commandLine).median / Summary(inLibcrypto).median)
            if json {
                print(try Console.json(result))
            } else {
                print(Console.table([
                    ["PATH", "MIN", "MEDIAN", "MAX"],
                    ["fabnet (libcrypto, in process)"] + Summary(inProcess).columns,
                    ["  of which in libcrypto"] + result.fabnetCryptoSeconds.columns,
                    ["  of which in the file system"] + result.fabnetFileSystemSeconds.columns,
                    ["openssl CLI (\(result.opensslProcesses) processes)"] + Summary(commandLine).columns,
                ]))
                print(String(format: "%d certificates; fabnet is %.1f× faster (median; %.1f× counting its libcrypto time alone)",
                             counts.certificates, result.speedup, result.speedupOfCrypto))
            }
        }
    }

    struct Summary: Encodable {
        let min: Double
        let median: Double
        let max: Double

        init(_ values: [Double]) {
            let sorted = values.sorted()
            min = sorted.first ?? 0
            max = sorted.last ?? 0
            median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }

        var columns: [String] { [min, median, max].map { String(format: "%.1f ms", $0 * 1000) } }
    }

    struct BenchCryptoResult: Encodable {
        let network: String
        let certificates: Int
        /// openssl processes per run: 2 per CA, 3 per leaf certificate.
        let opensslProcesses: Int
        let runs: Int
        let fabnetSeconds: Summary
        /// fabnet's time in libcrypto, and the rest (file system).
        let fabnetCryptoSeconds: Summary
        let fabnetFileSystemSeconds: Summary
        let opensslCLISeconds: Summary
        let speedup: Double
        /// The CLI's median ÷ fabnet's median time in libcrypto.
        let speedupOfCrypto: Double
    }
}
