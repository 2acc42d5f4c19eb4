import FabnetClient
import FabnetConfig
import FabnetWire
import Foundation

/// Defines a chaincode on a channel of a running network, as `fabnet chaincode deploy` and
/// `fabnet up` (for the description's `Chaincodes`) do: the definition is committed in fabnet's
/// lifecycle namespace as the first member org's Admin, then every running peer of the channel's
/// orgs keeps where the server listens, or, with an empty address, that the chaincode dials in
/// (`protos.ChaincodeSupport/Register` on the peer's gRPC port).
///
/// Guarantees: returns once a peer's ledger holds the new definition (or throws after `timeout`
/// saying so); the sequence is one more than the peer's current one for the name; nothing is
/// sent to a peer before the definition is committed; the connection is also recorded in the
/// state folder (``ChaincodeConnectionRecord``), and ``restoreConnections(of:)`` gives it to a
/// peer that was stopped meanwhile.
public struct ChaincodeDeployment: Sendable {
    public let clients: NodeClients
    public let state: NetworkState

    public init(clients: NodeClients, state: NetworkState) {
        self.clients = clients
        self.state = state
    }

    /// What a deployment did.
    public struct Result: Sendable, Encodable {
        public let name: String
        public let version: String
        public let sequence: UInt64
        public let policy: String
        public let channel: String
        public let txID: String
        /// Where the server listens; empty when the chaincode dials in.
        public let address: String
        public let peers: [String]
        /// A chaincode that dials in: each peer's gRPC address, its `CORE_PEER_ADDRESS` (by peer name).
        public let registerAt: [String: String]
    }

    /// Defines `name` anew (the next sequence) unless `onlyIfChanged` and the definition in force
    /// already has this version and policy; either way every running peer gets the connection.
    public func deploy(name: String, address: String, channel: ChannelSpec, version: String = "1.0", policy: String? = nil,
                       id: String? = nil, tlsRootPEM: Data? = nil, timeout: Double = 30, onlyIfChanged: Bool = false) async throws -> Result {
        guard let orderer = clients.orderer, state.isRunning(orderer) else {
            throw OrchestratorError.state("the orderer is down: fabnet start \(clients.orderer?.name ?? "orderer")")
        }
        let peers = clients.peers.filter { channel.memberOrgs.contains($0.mspID) && state.isRunning($0) }
        guard let reader = peers.first else { throw OrchestratorError.state("no peer of \(channel.name) runs: fabnet up") }
        let listed = try await chaincodes(on: reader, channel: channel.name)
        let current = listed.first { $0.definition.name == name }?.definition
        if onlyIfChanged, let current, current.version == version, current.policyText == (policy ?? ChaincodeLifecycle.defaultPolicy) {
            try await connect(name: name, address: address, channel: channel.name, id: id, tlsRootPEM: tlsRootPEM, peers: peers)
            return Result(name: name, version: version, sequence: current.sequence, policy: current.policyText, channel: channel.name,
                          txID: "", address: address, peers: peers.map(\.name), registerAt: registerAt(address: address, peers: peers))
        }
        let sequence = (current?.sequence ?? 0) + 1
        let definition: WireChaincodeDefinition
        do {
            definition = try ChaincodeLifecycle.definition(name: name, version: version, sequence: sequence, policy: policy)
        } catch {
            throw OrchestratorError.state("\(error)")
        }
        let admin = try clients.client(of: orderer, as: channel.memberOrgs[0], role: .admin)
        let (envelope, txID) = try ChaincodeLifecycle.transaction(definition, channel: channel.name, admin: admin.signer)
        guard let answer = try await admin.broadcast([envelope]).first, answer.status == .success else {
            throw OrchestratorError.state("the orderer refused the definition of \(name) on \(channel.name)")
        }
        try await eventually(seconds: timeout, "the definition of \(name) (sequence \(sequence)) on \(reader.name)") {
            try await chaincodes(on: reader, channel: channel.name).contains { $0.definition.name == name && $0.definition.sequence == sequence }
        }
        try await connect(name: name, address: address, channel: channel.name, id: id, tlsRootPEM: tlsRootPEM, peers: peers)
        return Result(name: name, version: version, sequence: sequence, policy: definition.policyText, channel: channel.name, txID: txID,
                      address: address, peers: peers.map(\.name), registerAt: registerAt(address: address, peers: peers))
    }

    private func registerAt(address: String, peers: [NetworkState.Node]) -> [String: String] {
        guard address.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: peers.compactMap { peer in peer.grpcPort.map { (peer.name, "127.0.0.1:\($0)") } })
    }

    /// Tells each of `peers` where the server of `name` listens (empty: it dials in).
    func connect(name: String, address: String, channel: String, id: String?, tlsRootPEM: Data?, peers: [NetworkState.Node]) async throws {
        var connection = WireChaincodeConnection()
        connection.channel = channel
        connection.name = name
        connection.address = address
        connection.chaincodeID = id ?? name
        if let tlsRootPEM { connection.tlsRootCertificate = tlsRootPEM }
        try ChaincodeConnectionRecord(state: state).save(connection)
        var request = WireConnectChaincode()
        request.connection = connection
        for peer in peers {
            let response = try await clients.client(of: peer).admin(.connectChaincode(request))
            guard response.status == .success else { throw OrchestratorError.state("\(peer.name) refused the connection to \(name): \(response.info)") }
        }
    }

    /// Gives `peer` (just started) every recorded connection of a channel it joined, so a peer
    /// that was stopped during a deploy reaches the chaincode as the others do; returns the
    /// names given (`channel/name`).
    @discardableResult
    public func restoreConnections(of peer: NetworkState.Node) async throws -> [String] {
        var given: [String] = []
        for connection in try ChaincodeConnectionRecord(state: state).all() {
            var request = WireConnectChaincode()
            request.connection = connection
            let response = try await clients.client(of: peer).admin(.connectChaincode(request))
            switch response.status {
            case .success: given.append("\(connection.channel)/\(connection.name)")
            case .notFound: continue  // a channel this peer did not join
            default: throw OrchestratorError.state("\(peer.name) refused the connection to \(connection.name) on \(connection.channel): \(response.info)")
            }
        }
        return given
    }

    /// The chaincodes `peer` sees on `channel` (as its org's Admin).
    public func chaincodes(on peer: NetworkState.Node, channel: String) async throws -> [WireChaincodeStatus] {
        var request = WireListChaincodes()
        request.channel = channel
        let response = try await clients.client(of: peer).admin(.listChaincodes(request))
        guard response.status == .success else { throw OrchestratorError.state("\(peer.name): \(response.info)") }
        return response.chaincodes
    }
}
