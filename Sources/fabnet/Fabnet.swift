import ArgumentParser
import Foundation

/// The `fabnet` command: a Docker-free local testnet for Hyperledger-Fabric-style networks.
@main
struct Fabnet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fabnet",
        abstract: "A local Hyperledger-Fabric-style network in a second, without Docker.",
        discussion: """
        fabnet reads a configtx.yaml (Fabric's own format, or fabnet's single-file form that also \
        says how many peers each org runs), makes the CA and TLS material with OpenSSL in \
        cryptogen's layout, and runs the orderer and peers as local processes.

        With no -f, every command uses the embedded default network: one orderer org with one \
        orderer, two peer orgs with two peers each, channel mychannel (shipped as \
        configtx/configtx.yaml).

        An ordering service by hand (`fabnet up` will do all of this):
          fabnet orderer init --home .fabnet/orderer && fabnet orderer start --home .fabnet/orderer &
          fabnet channel create mychannel
          fabnet tx put greeting hello --channel mychannel --wait
          fabnet block fetch newest --channel mychannel

        Examples:
          fabnet config show            what the default network contains
          fabnet crypto generate        make its keys and certificates under crypto-config/
          fabnet config validate -f my/configtx.yaml
        """,
        version: FabnetVersion.current,
        subcommands: [UpCommand.self, DownCommand.self, StatusCommand.self, WaitCommand.self, CheckCommand.self, FaultCommand.self, RebuildCommand.self, UICommand.self, ExportCommand.self, EnvCommand.self, LogsCommand.self, NodeStart.self, NodeStop.self, NodeRestart.self, NodeKill.self, ConfigCommand.self, CryptoCommand.self, OrdererCommand.self, PeerCommand.self, ChannelCommand.self, ChaincodeCommand.self, TxCommand.self, BlockCommand.self, SimCommand.self, BenchCommand.self]
    )
}

extension Fabnet {
    /// Runs the command line. As ArgumentParser's own `main`, but under `--json` an error (a
    /// usage error included) is a JSON object on standard output (`ErrorReport`) with the same
    /// exit code, and a misspelt subcommand gets "did you mean" (`CommandSuggestion`).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command: any ParsableCommand
            if let node = nodeStart(arguments) {
                command = node
            } else {
                command = try parseAsRoot(arguments)
            }
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }  // --help, --version
            let suggestion = CommandSuggestion.forUnknown(in: arguments)
            if ErrorReport.isRequested {
                if !(error is ExitCode) {
                    var report = ErrorReport(error, text: message(for: error), help: CommandSuggestion.commandPath(arguments))
                    if let suggestion { report = ErrorReport(message: CommandSuggestion.unknownCommand(in: arguments) ?? report.error.message, fix: suggestion) }
                    report.print()
                }
                Foundation.exit(code.rawValue)
            }
            if let suggestion, !(error is ExitCode) {
                Console.error("\(fullMessage(for: error))\n\(suggestion)")
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}

extension Fabnet {
    /// `peer start` and `orderer start` in exactly the shape `up` spawns them (`--home DIR`, and
    /// for a peer `--hold-channels S`), read without ArgumentParser: parsing them with it cost
    /// about 3 ms of a node's 25 ms start (its generic machinery's type metadata, warmed anew by
    /// each of a 100-peer network's processes). Any other shape, help included, goes through
    /// ArgumentParser as before.
    static func nodeStart(_ arguments: [String]) -> sending (any ParsableCommand)? {
        guard arguments.count >= 4, arguments[1] == "start", arguments[2] == "--home", !arguments[3].hasPrefix("-") else { return nil }
        let rest = arguments.dropFirst(4)
        switch arguments[0] {
        case "peer":
            // Every option is assigned: an @Option never set cannot be read.
            var command = PeerStart()
            command.home = arguments[3]
            command.holdChannels = nil
            if rest.isEmpty { return command }
            guard rest.count == 2, rest.first == "--hold-channels", let seconds = Double(rest.last!), seconds >= 0 else { return nil }
            command.holdChannels = seconds
            return command
        case "orderer":
            guard rest.isEmpty else { return nil }
            var command = OrdererStart()
            command.home = arguments[3]
            return command
        default:
            return nil
        }
    }
}

/// The version `fabnet --version` prints.
enum FabnetVersion {
    static let current = "0.1.0"
}
