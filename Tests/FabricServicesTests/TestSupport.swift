import FabnetConfig
import FabnetCrypto
@testable import FabricServices
import FabricWire
import Foundation
import Orchestrator
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import ServiceLifecycle
import SwiftProtobuf

/// The default network's crypto material in a scratch folder: the orderer's TLS files, the TLS CA
/// of its org, and a user's client TLS files from Org1 (whose TLS CA is trusted too).
struct TestMaterial {
    let root: URL
    let serverCertificate: URL
    let serverKey: URL
    let trustRoots: [URL]
    let clientCertificate: URL
    let clientKey: URL

    init(_ name: String = #function) throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("fabnet-grpc-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        let spec = try NetworkLoader.load(file: nil).spec
        let layout = CryptoLayout(root: root)
        _ = try CryptoMaterialGenerator(output: root).generate(spec)
        guard let ordererOrg = spec.organizations.first(where: { !$0.orderers.isEmpty }),
              let orderer = ordererOrg.orderers.first,
              let userOrg = spec.organizations.first(where: { $0.role == .peer && !$0.users.isEmpty }),
              let user = userOrg.users.first
        else { throw TestFailure("the default network has no orderer or no user") }
        let serverTLS = layout.nodeDirectory(orderer, in: ordererOrg).appendingPathComponent("tls")
        serverCertificate = serverTLS.appendingPathComponent("server.crt")
        serverKey = serverTLS.appendingPathComponent("server.key")
        trustRoots = [ordererOrg, userOrg].map {
            layout.tlsCADirectory($0).appendingPathComponent(layout.tlsCACertificateName($0))
        }
        let clientTLS = layout.userDirectory(user, in: userOrg).appendingPathComponent("tls")
        clientCertificate = clientTLS.appendingPathComponent("client.crt")
        clientKey = clientTLS.appendingPathComponent("client.key")
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    func endpointTLS(_ clientCertificates: GRPCEndpointTLS.ClientCertificates = .optional) throws -> GRPCEndpointTLS {
        try .load(certificateChainPEM: serverCertificate, privateKeyPEM: serverKey, clientTrustRootsPEM: trustRoots,
                  clientCertificates: clientCertificates)
    }

    /// TLS for a Swift client trusting the TLS CAs, presenting the user's certificate if `withCertificate`.
    func clientSecurity(withCertificate: Bool) -> HTTP2ClientTransport.Posix.TransportSecurity {
        let roots = TLSConfig.TrustRootsSource.certificates(trustRoots.map { .file(path: $0.path, format: .pem) })
        if withCertificate {
            return .mTLS(certificateChain: [.file(path: clientCertificate.path, format: .pem)],
                         privateKey: .file(path: clientKey.path, format: .pem)) { $0.trustRoots = roots }
        }
        return .tls { $0.trustRoots = roots }
    }

    /// SHA-256 of the user's client certificate, DER.
    func clientCertificateHash() throws -> Data {
        let pem = try String(contentsOf: clientCertificate, encoding: .utf8)
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: base64) else { throw TestFailure("\(clientCertificate.path) is not PEM") }
        return ClientTLSIdentity(certificateDER: der).certificateHash
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}


/// A ledger of `count` tiny blocks numbered 0…count−1 that never grows.
struct FixedLedger: DeliverableLedger {
    let blocks: [Common_Block]

    init(count: Int) {
        blocks = (0..<count).map { number in
            Common_Block.with {
                $0.header.number = UInt64(number)
                $0.data.data = [Data("tx in block \(number)".utf8)]
            }
        }
    }

    func height() async -> UInt64 { UInt64(blocks.count) }
    func block(_ number: UInt64) async throws -> Common_Block? {
        number < blocks.count ? blocks[Int(number)] : nil
    }
    func waitForBlock(_ number: UInt64) async throws {
        // Never comes: wait until cancelled.
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

/// An orderer backend over a ``FixedLedger``: Broadcast answers SUCCESS with `info` = the
/// envelope's payload as text (so order is visible), or BAD_REQUEST for an empty payload; Deliver
/// parses the seek, plans it and walks the ledger, recording the callers it saw.
final class TestOrderer: AtomicBroadcastBackend, @unchecked Sendable {
    let ledger: FixedLedger
    private let lock = NSLock()
    private var _callers: [DeliveryCaller] = []

    init(blocks: Int) { ledger = FixedLedger(count: blocks) }

    var callers: [DeliveryCaller] { lock.withLock { _callers } }

    func broadcast(_ envelope: Common_Envelope) async -> Orderer_BroadcastResponse {
        guard !envelope.payload.isEmpty else {
            return .with { $0.status = .badRequest; $0.info = "empty payload" }
        }
        return .with { $0.status = .success; $0.info = String(decoding: envelope.payload, as: UTF8.self) }
    }

    func deliver(_ seek: Common_Envelope, caller: DeliveryCaller,
                 send: (Common_Block) async throws -> Void) async throws -> Common_Status {
        lock.withLock { _callers.append(caller) }
        let request = try SeekRequest(parsing: seek)
        let plan = try SeekPlan(request.seekInfo, height: await ledger.height())
        return try await plan.deliver(from: ledger, send: send)
    }
}

/// A signed-looking seek envelope (the signature is not checked by these tests).
func seekEnvelope(_ seekInfo: Orderer_SeekInfo, channel: String = "mychannel", tlsCertHash: Data = Data(),
                  type: Common_HeaderType = .deliverSeekInfo, timestamp: Date = Date()) throws -> Common_Envelope {
    let channelHeader = Common_ChannelHeader.with {
        $0.type = Int32(type.rawValue)
        $0.channelID = channel
        $0.timestamp = Google_Protobuf_Timestamp(date: timestamp)
        $0.tlsCertHash = tlsCertHash
    }
    let signatureHeader = Common_SignatureHeader.with { $0.creator = Data("creator".utf8); $0.nonce = Data([1, 2, 3]) }
    let payload = try Common_Payload.with {
        $0.header.channelHeader = try channelHeader.serializedBytes()
        $0.header.signatureHeader = try signatureHeader.serializedBytes()
        $0.data = try seekInfo.serializedBytes()
    }
    return try Common_Envelope.with { $0.payload = try payload.serializedBytes(); $0.signature = Data("sig".utf8) }
}

func seekInfo(from start: Orderer_SeekPosition, to stop: Orderer_SeekPosition,
              _ behavior: Orderer_SeekInfo.SeekBehavior = .blockUntilReady) -> Orderer_SeekInfo {
    .with { $0.start = start; $0.stop = stop; $0.behavior = behavior }
}

extension Orderer_SeekPosition {
    static func block(_ number: UInt64) -> Self { .with { $0.specified.number = number } }
    static var oldestBlock: Self { .with { $0.oldest = .init() } }
    static var newestBlock: Self { .with { $0.newest = .init() } }
    static var nextCommitBlock: Self { .with { $0.nextCommit = .init() } }
}

/// Runs `endpoint` in a `ServiceGroup`, runs `body` with its port, then shuts the group down
/// gracefully and waits for it to return (failing if that takes more than 20 s).
func withRunningEndpoint<T: Sendable>(_ endpoint: GRPCEndpoint,
                                      _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let group = ServiceGroup(services: [endpoint], logger: Logger(label: "test"))
    let running = Task { try await group.run() }
    let outcome: Result<T, any Error>
    do {
        let port = try await withDeadline(seconds: 20, "binding the endpoint") { try await endpoint.port }
        outcome = .success(try await body(port))
    } catch {
        outcome = .failure(error)
    }
    await group.triggerGracefulShutdown()
    try await withDeadline(seconds: 20, "stopping the endpoint") { try await running.value }
    return try outcome.get()
}
