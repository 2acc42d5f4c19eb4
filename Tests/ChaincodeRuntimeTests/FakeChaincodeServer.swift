@testable import ChaincodeRuntime
import FabricWire
import Foundation
import Orchestrator
import GRPCCore
import GRPCNIOTransportHTTP2Posix

/// A chaincode server written in Swift for the client's tests: it registers (or not) and runs a
/// fixed little contract, one transaction at a time: it reads key "counter", writes it back with
/// "+" appended and completes with "saw <old value>". Input "hang" makes it never answer.
struct FakeShim: Protos_Chaincode.SimpleServiceProtocol {
    enum Behaviour: Sendable {
        /// Registers with this ID and runs the contract.
        case register(String)
        /// Says nothing.
        case silent
    }

    let behaviour: Behaviour

    func connect(request: RPCAsyncSequence<Protos_ChaincodeMessage, any Error>, response: RPCWriter<Protos_ChaincodeMessage>,
                 context: ServerContext) async throws {
        guard case .register(let id) = behaviour else {
            for try await _ in request {}
            return
        }
        try await response.write(.with {
            $0.type = .register
            $0.payload = try! Protos_ChaincodeID.with { $0.name = id }.serializedBytes()
        })
        var messages = request.makeAsyncIterator()
        while let message = try await messages.next() {
            guard message.type == .transaction else { continue }
            let args = (try? Protos_ChaincodeInput(serializedBytes: message.payload))?.args ?? []
            if args.first == Data("hang".utf8) { continue }
            func ask(_ type: Protos_ChaincodeMessage.TypeEnum, _ payload: Data) async throws -> Protos_ChaincodeMessage {
                try await response.write(.with {
                    $0.type = type
                    $0.payload = payload
                    $0.txid = message.txid
                    $0.channelID = message.channelID
                })
                guard let answer = try await messages.next() else { throw TestFailure("the peer went away") }
                return answer
            }
            let old = try await ask(.getState, try Protos_GetState.with { $0.key = "counter" }.serializedBytes()).payload
            _ = try await ask(.putState, try Protos_PutState.with {
                $0.key = "counter"
                $0.value = old + Data("+".utf8)
            }.serializedBytes())
            try await response.write(.with {
                $0.type = .completed
                $0.payload = try! Protos_Response.with {
                    $0.status = 200
                    $0.payload = Data("saw \(String(decoding: old, as: UTF8.self))".utf8)
                }.serializedBytes()
                $0.txid = message.txid
                $0.channelID = message.channelID
            })
        }
    }
}

/// Serves a ``FakeShim`` on 127.0.0.1 (`port`, or a free one) while `body` runs with the port,
/// then stops it.
func withFakeChaincode<T: Sendable>(_ behaviour: FakeShim.Behaviour, port: Int = 0,
                                    _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: port), transportSecurity: .plaintext)
    let server = GRPCServer(transport: transport, services: [FakeShim(behaviour: behaviour)])
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await server.serve()
            return nil
        }
        defer { group.cancelAll() }
        guard let bound = try await transport.listeningAddress.ipv4?.port else {
            throw TestFailure("the fake chaincode server did not bind")
        }
        return try await body(bound)
    }
}

/// Runs `client` while `body` runs (from the moment its run() has started), then stops it.
func withRunning<T: Sendable>(_ client: ChaincodeClient, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await client.run()
            return nil
        }
        defer { group.cancelAll() }
        try await waitUntil("the client's run() starts") { client.connectionState != .stopped }
        return try await body()
    }
}

/// Waits until `condition` holds, failing after `seconds` (the project's `eventually`).
func waitUntil(_ what: String, seconds: Double = 10, _ condition: @escaping @Sendable () -> Bool) async throws {
    try await eventually(seconds: seconds, what) { condition() }
}

/// A port on 127.0.0.1 that nothing listens on right now (bound, read and released).
func freePort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw TestFailure("socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw TestFailure("could not bind a free port on 127.0.0.1") }
    return Int(UInt16(bigEndian: address.sin_port))
}
