import FabnetWire
import Foundation
import NIOCore
import Testing
@testable import Transport

/// `fabnet fault` in the transport itself: a partition refuses a node's handshake and closes a
/// connection already open; healing lets it in again.
struct FaultTransportTests {
    @Test func aPartitionRefusesAndCutsAndHealingLetsTheNodeInAgain() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        var serverCredentials = try network.peer(1, 0)
        let faults = FaultSwitch(own: serverCredentials.signer.pkiID)
        serverCredentials.faults = faults
        let server = try await EchoServer(serverCredentials)
        defer { server.stop() }
        let clientCredentials = try network.peer(2, 0)
        let client = Transport(credentials: clientCredentials)
        let serverName = faults.own, clientName = FaultPlan.name(of: clientCredentials.signer.pkiID)
        let cut = FaultPlan(partition: [[serverName], [clientName]], members: [serverName, clientName])

        // Open, echoing; then the plan cuts it: the connection ends.
        let ended = try await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.send(echoPacket(1))
                var iterator = connection.packets.makeAsyncIterator()
                _ = try await iterator.next()
                faults.apply(cut)
                do { return try await iterator.next() == nil } catch { return true }
            }
        }
        #expect(ended, "a connection the plan cuts is closed")

        // A new handshake is refused, naming the fault.
        _ = try? await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.send(echoPacket(2))
                for try await _ in connection.packets {}
            }
        }
        let refusal = try await server.nextRefusal()
        #expect("\(refusal)".contains("cut by a fault"), "\(refusal)")

        // Healed: echoing again.
        faults.apply(FaultPlan())
        let answer = try await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.send(echoPacket(3))
                for try await packet in connection.packets { return packet.broadcastResponse.info }
                return ""
            }
        }
        #expect(answer == "hello 3")
    }
}
