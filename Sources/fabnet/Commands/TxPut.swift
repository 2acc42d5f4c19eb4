import ArgumentParser
import FabnetWire
import FabnetClient
import FabricWire
import Foundation
import OrdererNode
import Orchestrator

/// `fabnet tx put`: one signed write, optionally waiting for its block.
struct TxPut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Submit a signed transaction that writes KEY = VALUE; print its id (and with --wait, its block).",
        discussion: """
        Calls the built-in contract `fabnet` (put KEY VALUE) on one running peer of each of the \
        channel's orgs for their endorsements, then submits the endorsed transaction to the \
        orderer, as a Fabric client does. Acts as the first application org's User1 unless --as \
        says otherwise. SUCCESS from the orderer means the transaction is on its disk and will be \
        ordered. An orderer named with --orderer (no network in --state) gets an unendorsed write.

        Examples:
          fabnet tx put greeting hello --channel mychannel --wait
          fabnet tx put greeting hello --channel mychannel --as Org2MSP/User1
        """
    )

    @Argument var key: String
    @Argument var value: String

    @Option(name: [.customShort("c"), .customLong("channel")], help: "The channel.")
    var channel: String

    @Flag(help: "Wait until the transaction is in a block and print the block number.")
    var wait = false

    @Option(help: "With --wait, give up after this many seconds.")
    var timeout: Double = 30

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await Console.reportingErrors {
            let (orderer, _, _) = try client.client(fallback: ClientOptions.firstApplicationClient)
            let before = try await orderer.blocks(channel: channel, start: .last, stop: .last)
            guard before.status == .success, let newest = before.blocks.last?.header.number else {
                throw ValidationError("cannot read channel \(channel): \(before.info)")
            }
            let (envelope, txID) = try await transaction(orderer: orderer)
            guard let response = try await orderer.broadcast([envelope]).first else {
                throw ValidationError("the orderer closed the connection without answering")
            }
            guard response.status == .success else {
                throw ValidationError("the orderer refused the transaction: \(response.info) (\(response.status))")
            }
            print(txID)
            guard wait else { return }
            let seconds = timeout
            let found = try await withThrowingTaskGroup(of: UInt64?.self) { group in
                group.addTask {
                    let result = try await orderer.blocks(channel: channel, start: .number(newest), stop: .number(.max), failIfNotReady: false) { block in
                        !OrdererChannelIDs.contains(txID, in: block)
                    }
                    return result.blocks.last { OrdererChannelIDs.contains(txID, in: $0) }?.header.number
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(seconds))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            guard let found else { throw ValidationError("transaction \(txID) was not in a block within \(timeout)s") }
            print("block \(found)")
        }
    }
}

extension TxPut {
    /// The endorsed transaction (one running peer per member org endorses the built-in contract's
    /// `put`), or an unendorsed write when no network runs from the state folder (`--orderer`).
    func transaction(orderer: OrdererClient) async throws -> (WireEnvelope, String) {
        let state = NetworkState(directory: URL(fileURLWithPath: client.state))
        guard client.orderer == nil, let manifest = try state.load() else {
            return try TransactionBuilder.make(channel: channel, writes: [(key, Data(value.utf8))], creator: orderer.signer)
        }
        let spec = try client.network.load(for: manifest).spec
        guard let members = spec.channels.first(where: { $0.name == channel })?.memberOrgs else {
            throw ValidationError("no channel \(channel) in the description (channels: \(spec.channels.map(\.name).joined(separator: ", ")))")
        }
        let running = manifest.nodes.filter { $0.role == "peer" && state.isRunning($0) }
        let endorsers = members.compactMap { org in running.first { $0.mspID == org } }
        guard !endorsers.isEmpty else { throw ValidationError("no peer of \(channel) runs to endorse the write: fabnet start PEER") }
        let (proposal, txID) = try ProposalBuilder.make(channel: channel, chaincode: TransactionBuilder.namespace,
                                                        arguments: [Data("put".utf8), Data(key.utf8), Data(value.utf8)], creator: orderer.signer)
        let responses = try await withThrowingTaskGroup(of: (String, Protos_ProposalResponse).self) { group in
            for peer in endorsers {
                let endorser = OrdererClient(transport: orderer.transport, port: peer.port, serverHostname: peer.host)
                group.addTask { (peer.name, try await endorser.endorse(proposal)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
        do {
            return (try EndorsementAssembly.envelope(for: proposal, responses: responses.map { ($0.0, $0.1) }, creator: orderer.signer), txID)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// Finds transaction ids in blocks.
enum OrdererChannelIDs {
    static func contains(_ txID: String, in block: Common_Block) -> Bool {
        block.transactionIDs.contains(txID)
    }
}
