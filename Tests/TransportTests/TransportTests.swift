import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import NIOCore
import Testing
@testable import Transport

/// Mutual TLS plus the identity-binding handshake: who gets through and who does not.
@Suite struct TransportTests {
    @Test func peersOfTwoOrgsConnectAndLearnEachOthersIdentity() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        let client = Transport(credentials: try network.peer(2, 0))
        let expected = try network.peer(1, 0).signer.pkiID
        let result = try await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com", expecting: "Org1MSP") { connection in
                #expect(connection.remote.mspID == "Org1MSP")
                #expect(connection.remote.role == .peer)
                #expect(connection.remote.pkiID == expected)
                var answers: [String] = []
                for stream in 1...3 as ClosedRange<UInt64> {
                    try await connection.send(echoPacket(stream))
                }
                for try await packet in connection.packets {
                    answers.append(packet.broadcastResponse.info)
                    if answers.count == 3 { break }
                }
                return answers
            }
        }
        #expect(result == ["hello 1", "hello 2", "hello 3"])
        let remotes = server.remotes
        let first = try await withDeadline { for await remote in remotes { return remote }; return "" }
        #expect(first == "Org2MSP/peer")
    }

    /// An IP address is dialled as it is (above); a name is resolved first, and still connects.
    @Test func aHostNameIsResolvedBeforeItIsDialled() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        let client = Transport(credentials: try network.peer(2, 0))
        let remote = try await withDeadline {
            try await client.connect(host: "localhost", port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                connection.remote.mspID
            }
        }
        #expect(remote == "Org1MSP")
    }

    @Test func unexpectedRemoteIsRefusedByTheDialer() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        let client = Transport(credentials: try network.peer(2, 0))
        await #expect(throws: TransportError.unexpectedRemote(expected: "Org2MSP", got: "Org1MSP")) {
            try await withDeadline {
                try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com", expecting: "Org2MSP") { _ in }
            }
        }
    }

    @Test func clientWithoutCertificateIsRefused() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        let roots = [network.layout.tlsCADirectory(network.spec.organizations[1]).appendingPathComponent("tlsca.org1.example.com-cert.pem")]
        let raw = try await RawTLSClient.connect(port: server.port, certificate: nil, key: nil, trustRoots: roots)
        try? await raw.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "hello"))
            for try await _ in inbound {}
        }
        let refusal = try await server.nextRefusal()
        #expect("\(refusal)".lowercased().contains("certificate") || "\(refusal)".contains("handshake"), "\(refusal)")
    }

    @Test func certificateFromAForeignCAIsRefused() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let foreign = try TestNetwork("foreign")  // same names, different CAs
        defer { foreign.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        let client = Transport(credentials: try foreign.peer(1, 1))
        await #expect(throws: (any Error).self) {
            try await withDeadline {
                try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { _ in }
            }
        }
        _ = try await server.nextRefusal()
    }

    @Test func handshakeBoundToAnotherCertificateIsRefused() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0))
        defer { server.stop() }
        // A client that presents peer1's TLS certificate but claims peer0's in its handshake.
        var credentials = try network.peer(2, 1)
        credentials.tlsCertificateHash = try network.peer(2, 0).tlsCertificateHash
        let client = Transport(credentials: credentials)
        try? await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                for try await _ in connection.packets {}
            }
        }
        let refusal = try await server.nextRefusal()
        #expect(refusal as? TransportError == .tlsBindingMismatch(mspID: "Org2MSP"))
    }

    @Test func missingHandshakeTimesOut() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0), handshakeTimeout: .milliseconds(300))
        defer { server.stop() }
        let files = network.tlsFiles(2, 0)
        let roots = [network.layout.tlsCADirectory(network.spec.organizations[1]).appendingPathComponent("tlsca.org1.example.com-cert.pem")]
        let raw = try await RawTLSClient.connect(port: server.port, certificate: files.certificate, key: files.key, trustRoots: roots)
        // Say nothing; the server closes the connection at its deadline.
        try await withDeadline { try await raw.executeThenClose { inbound, _ in for try await _ in inbound {} } }
        let refusal = try await server.nextRefusal()
        #expect(refusal as? TransportError == .handshakeTimeout(seconds: 0.3) || refusal as? TransportError == .closedBeforeHandshake, "\(refusal)")
    }

    @Test func oversizeAndGarbageFramesCloseOnlyThatConnection() async throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let server = try await EchoServer(try network.peer(1, 0), maximumFrameSize: 4096)
        defer { server.stop() }
        let client = Transport(credentials: try network.peer(2, 0), maximumFrameSize: 1 << 20)
        // Too large for the server: that connection ends.
        try? await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                var big = WirePacket()
                big.broadcastResponse.info = String(repeating: "x", count: 10_000)
                try await connection.send(big)
                for try await _ in connection.packets {}
            }
        }
        #expect(try await server.nextRefusal() is FrameError)
        // A frame that is not a Packet: that connection ends too.
        try? await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.outbound.write(ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]))
                for try await _ in connection.packets {}
            }
        }
        #expect(try await server.nextRefusal() is FrameError)
        // The server is still there for a well-behaved client.
        let answer = try await withDeadline {
            try await client.connect(port: server.port, serverHostname: "peer0.org1.example.com") { connection in
                try await connection.send(echoPacket(9))
                for try await packet in connection.packets { return packet.stream }
                return 0
            }
        }
        #expect(answer == 9)
    }
}
