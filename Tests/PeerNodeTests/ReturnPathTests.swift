import CoreMetrics
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Logging
import NIOCore
import OperationsEndpoint
import Synchronization
import Testing
import Transport
@testable import PeerNode

/// Over real mutual TLS: once a peer gossips on a connection it opened, what the other side sends
/// to it goes back on that connection (the dialler reads it as a returned packet), and nothing
/// new is dialled, even to an endpoint where nothing listens.
@Suite struct ReturnPathTests {
    @Test func sendsToAPeerGoBackOnTheConnectionItOpenedWithoutADial() async throws {
        let spec = try NetworkLoader.load(file: nil).spec
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-return-path-\(getpid())")
        try? FileManager.default.removeItem(at: root)
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try CryptoMaterialGenerator(output: root).generate(spec)
        let layout = CryptoLayout(root: root)
        let org = try #require(spec.organizations.first { $0.peers.count >= 2 })
        func credentials(_ index: Int) throws -> TransportCredentials {
            let directory = layout.nodeDirectory(org.peers[index], in: org)
            return try TransportCredentials.load(mspDirectory: directory.appendingPathComponent("msp"), tlsDirectory: directory.appendingPathComponent("tls"),
                                                 mspID: org.mspID, organizations: spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) })
        }
        let (dialler, listener) = (try credentials(0), try credentials(1))
        let (diallerTasks, listenerTasks) = (ChildTasks(), ChildTasks())
        func connections(_ credentials: TransportCredentials, _ tasks: ChildTasks) -> PeerConnections {
            PeerConnections(transport: Transport(credentials: credentials), tasks: tasks, log: Logger(label: "return-path"),
                            sentBytes: Counter(label: "sent"), dropped: Counter(label: "dropped"))
        }
        let (outgoing, answering) = (connections(dialler, diallerTasks), connections(listener, listenerTasks))
        let returned = Mutex<[(stream: UInt64, via: Endpoint)]>([])
        outgoing.deliverReturnedPackets { packet in returned.withLock { $0.append((packet.packet.stream, packet.via)) } }
        let heard = Mutex(0)
        let server = try await Transport(credentials: listener).listen(port: 0)
        let serving = Task {
            try await server.serve(onRefused: { _ in }) { connection in
                let carry = answering.returnPath(to: connection.remote.pkiID, over: connection)
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { await carry() }
                    for try await _ in connection.packets { heard.withLock { $0 += 1 } }
                    group.cancelAll()
                }
            }
        }
        async let diallerRun: Void = diallerTasks.run()
        async let listenerRun: Void = listenerTasks.run()
        defer { serving.cancel() }
        func packet(_ stream: UInt64) throws -> ByteBuffer {
            var packet = WirePacket()
            packet.stream = stream
            packet.gossipMessage = WireGossipMessage()
            return try packet.frameBuffer()
        }
        // Dialled at 127.0.0.1, the host named only for the certificate check.
        let listenerEndpoint = try #require(Endpoint(host: org.peers[1].commonName, port: server.port))
        outgoing.send(encoded: try packet(1), to: listenerEndpoint, expecting: listener.signer.pkiID)
        try await eventually("the listener hears the dialler") { heard.withLock { $0 } == 1 }
        // Nothing listens on port 1: only the dialler's own connection can carry this.
        let nowhere = try #require(Endpoint(host: org.peers[0].commonName, port: 1))
        answering.send(encoded: try packet(7), to: nowhere, expecting: dialler.signer.pkiID)
        try await eventually("the answer comes back on the dialler's connection") { returned.withLock { $0.map(\.stream) } == [7] }
        #expect(returned.withLock { $0.first?.via } == listenerEndpoint)
        #expect(answering.currentConnections().isEmpty, "the answering side dialled nothing")
        // A send to a peer with no connection to this side is dialled as before.
        answering.send(encoded: try packet(8), to: nowhere, expecting: nil)
        #expect(answering.currentConnections().map(\.endpoint) == ["\(nowhere)"])
        diallerTasks.finish()
        listenerTasks.finish()
        serving.cancel()
        _ = await (diallerRun, listenerRun)
        server.close()
    }
}
