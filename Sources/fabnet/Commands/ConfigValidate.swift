import FabnetModel
import ArgumentParser
import FabnetConfig
import Foundation

/// `fabnet config validate`: every problem in a description, or exit 0.
struct ConfigValidate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a description; print every error (file:line:column, key, fix) and exit non-zero if there is one.",
        discussion: """
        Also checks the peer gossip settings: core.yaml given with --core, overridden by \
        CORE_PEER_GOSSIP_* environment variables, as a Fabric peer reads them.

        Examples:
          fabnet config validate
          fabnet config validate -f test-network/configtx/configtx.yaml --crypto-config crypto-config-org1.yaml
          CORE_PEER_GOSSIP_ORGLEADER=true fabnet config validate --core core.yaml
        """
    )

    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("A Fabric core.yaml whose peer.gossip section to check.", valueName: "FILE"))
    var core: String?

    @Flag(help: "Print the result as JSON: {valid, errors, warnings}.")
    var json = false

    func run() throws {
        var issues: [ConfigIssue] = []
        var summary = ""
        do {
            let loaded = try network.load(printWarnings: false)
            issues += loaded.warnings
            let spec = loaded.spec
            summary = "\(spec.organizations.count) organizations, \(spec.orderers.count) orderer(s), \(spec.peers.count) peers, \(spec.channels.count) channel(s)"
        } catch let error as ConfigLoadError {
            issues += error.issues
        }
        do {
            let gossip = try GossipSettingsLoader.load(coreYAML: core.map { URL(fileURLWithPath: $0) })
            issues += gossip.warnings
        } catch let error as ConfigLoadError {
            issues += error.issues
        }
        let errors = issues.filter { $0.severity == .error }
        let warnings = issues.filter { $0.severity == .warning }
        if json {
            print(try Console.json(ValidationResult(valid: errors.isEmpty, errors: errors, warnings: warnings)))
        } else {
            for issue in issues { Console.error(issue.description) }
            let name = network.file ?? NetworkLoader.embeddedName
            if errors.isEmpty {
                print("\(name): valid (\(summary))\(warnings.isEmpty ? "" : ", \(warnings.count) warning(s)")")
            } else {
                Console.error("\(name): \(errors.count) error(s), \(warnings.count) warning(s)")
            }
        }
        if !errors.isEmpty { throw ExitCode.failure }
    }

    struct ValidationResult: Encodable {
        let valid: Bool
        let errors: [ConfigIssue]
        let warnings: [ConfigIssue]
    }
}
