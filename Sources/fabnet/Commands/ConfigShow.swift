import FabnetModel
import ArgumentParser
import FabnetConfig
import Foundation

/// `fabnet config show`: the resolved topology, for people or (with --json) for scripts.
struct ConfigShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the resolved network: orgs, nodes with ports, anchor peers, channels, batch settings.",
        discussion: """
        With --gossip, also every peer.gossip.* setting with its value, where it came from \
        (default, core.yaml or a CORE_PEER_GOSSIP_* variable) and Fabric's default. \
        --json always includes the gossip settings.

        Examples:
          fabnet config show
          fabnet config show -f my/configtx.yaml --gossip
          fabnet config show --json | jq '.network.channels'
        """
    )

    @OptionGroup var network: NetworkOptions

    @Option(help: ArgumentHelp("A Fabric core.yaml to read peer.gossip settings from.", valueName: "FILE"))
    var core: String?

    @Flag(help: "Also show the peer gossip settings.")
    var gossip = false

    @Flag(help: "Print JSON: {network, gossip, warnings}.")
    var json = false

    func run() throws {
        try Console.reportingErrors {
            let loaded = try network.load(printWarnings: !json)
            let settings = try GossipSettingsLoader.load(coreYAML: core.map { URL(fileURLWithPath: $0) })
            if json {
                let entries = GossipSettings.keys.map { key in
                    GossipEntry(key: key.fullName, value: key.value(in: settings.settings).description,
                                source: settings.source(of: key.name).description,
                                fabricDefault: key.value(in: .fabric).description, environmentVariable: key.environmentVariable)
                }
                print(try Console.json(ShowResult(network: loaded.spec, gossip: entries, warnings: loaded.warnings + settings.warnings)))
                return
            }
            for warning in settings.warnings { Console.error(warning.description) }
            print(TopologyReport.render(loaded.spec))
            if gossip {
                print("")
                print(TopologyReport.render(settings))
            }
        }
    }

    struct GossipEntry: Encodable {
        let key: String
        let value: String
        let source: String
        let fabricDefault: String
        let environmentVariable: String
    }

    struct ShowResult: Encodable {
        let network: NetworkSpec
        let gossip: [GossipEntry]
        let warnings: [ConfigIssue]
    }
}
