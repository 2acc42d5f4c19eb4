@testable import FabricServices
import FabricWire
import Foundation
import Orchestrator
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

/// AtomicBroadcast and Deliver through a GRPCEndpoint over TLS, with Swift gRPC clients.
@Suite(.serialized)
struct EndpointTests {
    /// What a Deliver stream answered: block numbers and statuses, in order.
    enum Answer: Equatable, Sendable {
        case block(UInt64)
        case status(Common_Status)
    }

    static func answers(_ response: StreamingClientResponse<Orderer_DeliverResponse>) async throws -> [Answer] {
        var answers: [Answer] = []
        for try await message in response.messages {
            switch message.type {
            case .block(let block)?: answers.append(.block(block.header.number))
            case .status(let status)?: answers.append(.status(status))
            case nil: throw TestFailure("a DeliverResponse with neither block nor status")
            }
        }
        return answers
    }

    func withClient<T: Sendable>(port: Int, _ security: HTTP2ClientTransport.Posix.TransportSecurity,
                                 _ body: @escaping @Sendable (Orderer_AtomicBroadcast.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                       transportSecurity: security)
        return try await withDeadline(seconds: 30, "the client's calls") {
            try await withGRPCClient(transport: transport) { client in
                try await body(Orderer_AtomicBroadcast.Client(wrapping: client))
            }
        }
    }

    @Test func broadcastAnswersEachEnvelopeInOrder() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(TestOrderer(blocks: 3))])
        let infos = try await withRunningEndpoint(endpoint) { port in
            try await withClient(port: port, material.clientSecurity(withCertificate: false)) { orderer in
                try await orderer.broadcast(requestProducer: { writer in
                    for text in ["tx-1", "tx-2", "", "tx-4"] {
                        try await writer.write(Common_Envelope.with { $0.payload = Data(text.utf8) })
                    }
                }, onResponse: { response in
                    var answers: [String] = []
                    for try await answer in response.messages { answers.append("\(answer.status.rawValue) \(answer.info)") }
                    return answers
                })
            }
        }
        #expect(infos == ["200 tx-1", "200 tx-2", "400 empty payload", "200 tx-4"])
    }

    @Test func deliverStreamsTheRangeThenSuccessForEachSeek() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(TestOrderer(blocks: 5))])
        let answers = try await withRunningEndpoint(endpoint) { port in
            try await withClient(port: port, material.clientSecurity(withCertificate: false)) { orderer in
                try await orderer.deliver(requestProducer: { writer in
                    try await writer.write(try seekEnvelope(seekInfo(from: .block(1), to: .block(3))))
                    try await writer.write(try seekEnvelope(seekInfo(from: .newestBlock, to: .newestBlock)))
                }, onResponse: Self.answers)
            }
        }
        #expect(answers == [.block(1), .block(2), .block(3), .status(.success), .block(4), .status(.success)])
    }

    @Test func failIfNotReadyEndsWithNotFoundAndBadSeeksWithBadRequest() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(TestOrderer(blocks: 3))])
        let (notFound, badRequest) = try await withRunningEndpoint(endpoint) { port in
            try await withClient(port: port, material.clientSecurity(withCertificate: false)) { orderer in
                let notFound = try await orderer.deliver(requestProducer: { writer in
                    try await writer.write(try seekEnvelope(seekInfo(from: .block(1), to: .block(9), .failIfNotReady)))
                    // Never answered: the stream ends after a status other than SUCCESS.
                    try await writer.write(try seekEnvelope(seekInfo(from: .oldestBlock, to: .oldestBlock)))
                }, onResponse: Self.answers)
                let badRequest = try await orderer.deliver(requestProducer: { writer in
                    try await writer.write(try seekEnvelope(seekInfo(from: .block(2), to: .block(1))))
                }, onResponse: Self.answers)
                return (notFound, badRequest)
            }
        }
        #expect(notFound == [.block(1), .block(2), .status(.notFound)])
        #expect(badRequest == [.status(.badRequest)])
    }

    @Test func theBackendSeesTheClientCertificateHashOnlyWhenOneWasPresented() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let backend = TestOrderer(blocks: 2)
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(backend)])
        let seek = try seekEnvelope(seekInfo(from: .oldestBlock, to: .oldestBlock))
        try await withRunningEndpoint(endpoint) { port in
            for withCertificate in [true, false] {
                let answers = try await withClient(port: port, material.clientSecurity(withCertificate: withCertificate)) { orderer in
                    try await orderer.deliver(requestProducer: { try await $0.write(seek) }, onResponse: Self.answers)
                }
                #expect(answers == [.block(0), .status(.success)])
            }
            // The certificate recorded for the closed connection goes away with it.
            try await eventually(seconds: 10, "forgetting a closed connection's certificate") { endpoint.clientCertificates.count == 0 }
        }
        let expected = try material.clientCertificateHash()
        #expect(backend.callers.map(\.clientCertificateHash) == [expected, nil])
        #expect(backend.callers.allSatisfy { $0.remotePeer.hasPrefix("ipv4:127.0.0.1:") })
    }

    @Test func requiredClientCertificatesRefuseClientsWithout() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS(.required)),
                                        services: [AtomicBroadcastService(TestOrderer(blocks: 1))])
        let seek = try seekEnvelope(seekInfo(from: .oldestBlock, to: .oldestBlock))
        try await withRunningEndpoint(endpoint) { port in
            let withCertificate = try await withClient(port: port, material.clientSecurity(withCertificate: true)) { orderer in
                try await orderer.deliver(requestProducer: { try await $0.write(seek) }, onResponse: Self.answers)
            }
            #expect(withCertificate == [.block(0), .status(.success)])
            try await expectRefused(port: port, material.clientSecurity(withCertificate: false))
        }
    }

    @Test func plaintextClientsAreRefusedWhenTLSIsOn() async throws {
        let material = try TestMaterial()
        defer { material.remove() }
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .tls(material.endpointTLS()),
                                        services: [AtomicBroadcastService(TestOrderer(blocks: 1))])
        try await withRunningEndpoint(endpoint) { port in
            try await expectRefused(port: port, .plaintext)
        }
    }

    /// A Deliver call from a client with `security` fails as `unavailable` (no connection).
    func expectRefused(port: Int, _ security: HTTP2ClientTransport.Posix.TransportSecurity) async throws {
        let seek = try seekEnvelope(seekInfo(from: .oldestBlock, to: .oldestBlock))
        let options = { var options = CallOptions.defaults; options.waitForReady = false; options.timeout = .seconds(10); return options }()
        let outcome: Result<[Answer], RPCError> = try await withClient(port: port, security) { orderer in
            do {
                return .success(try await orderer.deliver(options: options, requestProducer: { try await $0.write(seek) },
                                                           onResponse: Self.answers))
            } catch let error as RPCError {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let answers): Issue.record("the call succeeded: \(answers)")
        case .failure(let error): #expect(error.code == .unavailable, "\(error)")
        }
    }

    @Test func plaintextEndpointServesAndPeerDeliverFilteredIsUnimplemented() async throws {
        let backend = TestOrderer(blocks: 2)
        let endpoint = try GRPCEndpoint(host: "127.0.0.1", port: 0, security: .plaintext,
                                        services: [PeerDeliverService(backend)])
        let seek = try seekEnvelope(seekInfo(from: .oldestBlock, to: .newestBlock))
        let (blocks, filtered) = try await withRunningEndpoint(endpoint) { port in
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port),
                                                           transportSecurity: .plaintext)
            return try await withDeadline(seconds: 30, "the peer calls") {
                try await withGRPCClient(transport: transport) { client in
                    let peer = Protos_Deliver.Client(wrapping: client)
                    let blocks = try await peer.deliver(requestProducer: { try await $0.write(seek) }) { response in
                        var numbers: [UInt64] = []
                        for try await message in response.messages where message.block.hasHeader {
                            numbers.append(message.block.header.number)
                        }
                        return numbers
                    }
                    let filtered: RPCError? = await {
                        do {
                            _ = try await peer.deliverFiltered(requestProducer: { try await $0.write(seek) }) { response in
                                for try await _ in response.messages {}
                            }
                            return nil
                        } catch {
                            return error as? RPCError
                        }
                    }()
                    return (blocks, filtered)
                }
            }
        }
        #expect(blocks == [0, 1])
        #expect(filtered?.code == .unimplemented)
        #expect(filtered?.message.contains("protos.Deliver/Deliver") == true)
        #expect(backend.callers.map(\.clientCertificateHash) == [nil])
    }
}
