import ArgumentParser
import FabnetConfig
import FabnetCrypto
import Foundation

/// `fabnet crypto generate`: the material for every org, node and user of a description.
struct CryptoGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Make CA, TLS CA, node and user keys and certificates (kept if already there).",
        discussion: """
        Writes cryptogen's tree: <output>/peerOrganizations/<domain>/{ca,tlsca,msp,peers,users} and \
        ordererOrganizations/<domain>/{…,orderers}. Keys are ECDSA P-256 PKCS#8 PEM files with mode \
        0600; certificates are valid for 10 years.

        Run it again after adding a node to the description: existing CAs and identities are kept, \
        and only the new node gets a key and certificates, signed by its org's existing CA. \
        --force makes everything anew (existing identities stop being trusted).

        Examples:
          fabnet crypto generate
          fabnet crypto generate -f my/configtx.yaml -o my/crypto-config
          fabnet crypto generate --force --json
        """
    )

    @OptionGroup var network: NetworkOptions

    @Option(name: [.short, .long], help: ArgumentHelp("Where to write the material.", valueName: "DIR"))
    var output = "crypto-config"

    @Flag(help: "Remove each org's existing material and make it anew.")
    var force = false

    @Flag(help: "Print what was made and kept as JSON.")
    var json = false

    func run() throws {
        try Console.reportingErrors {
            let spec = try network.load().spec
            let (report, seconds) = try Stopwatch.time {
                try CryptoMaterialGenerator(output: URL(fileURLWithPath: output)).generate(spec, force: force)
            }
            if json {
                print(try Console.json(report))
                return
            }
            print("""
                \(output)/: \(report.createdAuthorities.count) CA(s) made, \(report.keptAuthorities.count) kept; \
                \(report.createdIdentities.count) identities made, \(report.keptIdentities.count) kept\
                \(report.replacedIdentities.isEmpty ? "" : ", \(report.replacedIdentities.count) replaced (\(report.replacedIdentities.joined(separator: ", ")))") \
                in \(String(format: "%.1f", seconds * 1000)) ms
                """)
        }
    }
}
