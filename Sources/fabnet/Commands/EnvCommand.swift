import ArgumentParser
import Foundation
import Orchestrator

/// `fabnet env ORG`: shell exports (or JSON) that point Fabric's `peer` CLI and fabric-gateway
/// applications at a running network as one of ORG's identities.
///
/// Guarantees: prints only `export NAME='value'` lines, every value single-quoted for POSIX
/// shells, so `eval "$(fabnet env Org1)"` sets exactly the variables listed in the help; every
/// path printed is absolute and exists (see `ClientEnvironment`). Reads the state folder only.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print shell exports that point the peer CLI and gateway clients at the network as one org's identity.",
        discussion: """
        ORG is an MSP ID (Org1MSP), an org's name or its profile name (org1), in any case. The \
        identity is the org's User1 unless --user or --admin says otherwise; the peer is the \
        org's first peer unless --peer names another.

        Fabric's peer CLI: CORE_PEER_TLS_ENABLED, CORE_PEER_LOCALMSPID, CORE_PEER_TLS_ROOTCERT_FILE, \
        CORE_PEER_MSPCONFIGPATH, CORE_PEER_ADDRESS, ORDERER_ADDRESS, ORDERER_CA. fabric-gateway \
        applications: FABNET_MSP_ID, FABNET_GATEWAY_ENDPOINT, FABNET_GATEWAY_HOST_ALIAS (the TLS \
        server name to expect), FABNET_TLS_ROOT_CERT, FABNET_CERT_PATH, FABNET_KEY_PATH, \
        FABNET_CONNECTION_PROFILE (written by `fabnet up` in the state folder's profiles/), \
        FABNET_ORDERER_HOST_ALIAS.

        Examples:
          eval "$(fabnet env Org1)"                       # User1 on peer0.org1
          eval "$(fabnet env org2 --admin --peer peer1)"  # Admin on peer1.org2
          fabnet env Org1MSP --json | jq -r .peerAddress  # localhost:7051
        """
    )

    @Argument(help: ArgumentHelp("The org: MSP ID, name or profile name (case-insensitive).", valueName: "ORG"))
    var organization: String

    @Option(help: ArgumentHelp("The user to act as (User1, User2 …; default User1).", valueName: "NAME"))
    var user: String?

    @Flag(help: "Act as the org's Admin.")
    var admin = false

    @Option(help: ArgumentHelp("The org's peer to talk to, e.g. peer1 or peer1.org1.example.com (default: its first).", valueName: "PEER"))
    var peer: String?

    @Flag(help: "Print one JSON object with the same facts instead of exports.")
    var json = false

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func validate() throws {
        if admin, user != nil { throw ValidationError("--user and --admin name two identities; pass one") }
    }

    func run() async throws {
        try Console.reportingErrors {
            let manifest = try stateOptions.manifest()
            let spec = try description.load(for: manifest).spec
            let environment = try ClientEnvironment.resolve(
                organization, identity: admin ? .admin : .user(user), peer: peer, spec: spec, manifest: manifest, state: stateOptions.network)
            if json {
                print(try Console.json(EnvReport(environment: environment)))
                return
            }
            if environment.connectionProfile == nil {
                Console.error("note: \(stateOptions.state)/profiles/ has no connection profile; `fabnet up` writes one (run it again after `fabnet down`)")
            }
            for variable in environment.variables { print("export \(variable.name)=\(Self.shellQuoted(variable.value))") }
        }
    }

    /// `value` in single quotes, a single quote inside written as `'\''`.
    static func shellQuoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

/// `fabnet env --json`: the facts, and the variables the exports would set.
struct EnvReport: Encodable {
    let environment: ClientEnvironment

    enum Keys: String, CodingKey { case variables }

    func encode(to encoder: any Encoder) throws {
        try environment.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(Dictionary(environment.variables.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }), forKey: .variables)
    }
}
