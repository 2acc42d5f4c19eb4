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

        With --verify it measures instead this machine's ECDSA P-256 rate through the calls the \
        nodes use (verify and sign of a 1 KB message, on one core and on all cores, 2 s each per \
        run): the ceiling of every throughput figure, since each transaction costs the orderer one \
        verification and each peer one per creator (and later per endorsement).

        Examples:
          swift build -c release && .build/release/fabnet bench crypto --runs 5
          .build/release/fabnet bench crypto --verify --runs 5 --json
        """
    )

    @Flag(help: "Measure ECDSA P-256 verifications and signatures per second (one core, all cores) instead of generation.")
    var verify = false

    @Option(help: "With --verify: seconds per measurement.")
    var seconds = 2.0

    @OptionGroup var network: NetworkOptions

    @Option(help: "How many times to run each path.")
    var runs = 3

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
    }

    func run() async throws {
        BenchBystanders.warnIfAny()
        if verify { return try await runVerify() }
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

    /// `--verify`: verifications and signatures per second, one core and all cores.
    func runVerify() async throws {
        try await Console.reportingErrors {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            var rows: [String: [Double]] = [:]
            let kinds = [("verify", 1), ("verify", cores), ("sign", 1), ("sign", cores)]
            for run in 0..<runs {
                if !json { Console.error("run \(run + 1)/\(runs)…") }
                for (kind, tasks) in kinds {
                    let measured = kind == "verify" ? try await SignatureRate.verify(tasks: tasks, seconds: seconds)
                        : try await SignatureRate.sign(tasks: tasks, seconds: seconds)
                    rows["\(kind) \(tasks)", default: []].append(measured.perSecond)
                }
            }
            let result = VerifyResult(
                cores: cores, runs: runs, secondsEach: seconds,
                verifyOneCore: Rate(rows["verify 1"] ?? []), verifyAllCores: Rate(rows["verify \(cores)"] ?? []),
                signOneCore: Rate(rows["sign 1"] ?? []), signAllCores: Rate(rows["sign \(cores)"] ?? []))
            if json {
                print(try Console.json(result))
                return
            }
            print(Console.table([["ECDSA P-256 (1 KB message)", "MIN", "MEDIAN", "MAX"]] + [
                ("verify, 1 core", result.verifyOneCore), ("verify, \(cores) cores", result.verifyAllCores),
                ("sign, 1 core", result.signOneCore), ("sign, \(cores) cores", result.signAllCores),
            ].map { [$0.0] + $0.1.columns }))
            print("per second, \(runs) runs of \(seconds) s each")
        }
    }

    /// Operations per second over the runs.
    struct Rate: Encodable {
        let min: Double
        let median: Double
        let max: Double

        init(_ values: [Double]) {
            let summary = Summary(values)
            min = summary.min
            median = summary.median
            max = summary.max
        }

        var columns: [String] { [min, median, max].map { String(format: "%.0f", $0) } }
    }

    struct VerifyResult: Encodable {
        let cores: Int
        let runs: Int
        let secondsEach: Double
        let verifyOneCore: Rate
        let verifyAllCores: Rate
        let signOneCore: Rate
        let signAllCores: Rate
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
