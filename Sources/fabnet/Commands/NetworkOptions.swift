import ArgumentParser
import FabnetConfig
import Foundation
import Orchestrator

/// Flags shared by every command that reads a network description.
struct NetworkOptions: ParsableArguments {
    @Option(name: [.short, .customLong("file")],
            help: ArgumentHelp("The network description (configtx.yaml). Default: the embedded default network.",
                               valueName: "FILE"))
    var file: String?

    @Option(name: .customLong("crypto-config"),
            help: ArgumentHelp("A cryptogen crypto-config.yaml; repeat for several. crypto-config*.yaml files beside FILE are read too.",
                               valueName: "FILE"))
    var cryptoConfig: [String] = []

    @Flag(name: .customLong("no-discover"), help: "Do not read crypto-config*.yaml files found beside FILE.")
    var noDiscover = false

    /// The description of a running network: -f if given, else the file `fabnet up` was given
    /// (recorded in its state folder), else the embedded default network.
    func load(for manifest: NetworkState.Manifest) throws -> LoadedNetwork {
        guard file == nil, FileManager.default.fileExists(atPath: manifest.source) else { return try load(printWarnings: false) }
        var recorded = self
        recorded.file = manifest.source
        return try recorded.load(printWarnings: false)
    }

    /// Loads and validates the description; prints warnings to standard error.
    func load(printWarnings: Bool = true) throws -> LoadedNetwork {
        let network = try NetworkLoader.load(
            file: file.map { URL(fileURLWithPath: $0) },
            cryptoConfigFiles: cryptoConfig.map { URL(fileURLWithPath: $0) },
            discoverCryptoConfig: !noDiscover)
        if printWarnings {
            for warning in network.warnings { Console.error(warning.description) }
        }
        return network
    }
}
