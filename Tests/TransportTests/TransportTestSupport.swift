import FabnetConfig
import FabnetCrypto
@_exported import FabnetTestKit
import FabnetWire
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
@testable import Transport

/// The default network's material in a scratch folder, and credentials for its identities.
struct TestNetwork {
    let root: URL
    let spec: NetworkSpec
    let layout: CryptoLayout

    init(_ name: String = #function) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fabnet-transport-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))")
        spec = try NetworkLoader.load(file: nil).spec
        layout = CryptoLayout(root: root)
        _ = try CryptoMaterialGenerator(output: root).generate(spec)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    var organizations: [(mspID: String, mspDirectory: URL)] {
        spec.organizations.map { ($0.mspID, layout.organizationMSPDirectory($0)) }
    }

    /// Credentials of peer `index` of the org at `orgIndex` (1 = Org1, 2 = Org2).
    func peer(_ orgIndex: Int, _ index: Int) throws -> TransportCredentials {
        let org = spec.organizations[orgIndex]
        let directory = layout.nodeDirectory(org.peers[index], in: org)
        return try TransportCredentials.load(mspDirectory: directory.appendingPathComponent("msp"),
                                             tlsDirectory: directory.appendingPathComponent("tls"),
                                             mspID: org.mspID, organizations: organizations)
    }

    func tlsFiles(_ orgIndex: Int, _ index: Int) -> (certificate: URL, key: URL) {
        let org = spec.organizations[orgIndex]
        let tls = layout.nodeDirectory(org.peers[index], in: org).appendingPathComponent("tls")
        return (tls.appendingPathComponent("server.crt"), tls.appendingPathComponent("server.key"))
    }
}

/// A server that echoes packets, records who connected and why connections were refused.
final class EchoServer: Sendable {
    let listener: Transport.Listener
    let refusals: AsyncStream<any Error>
    let remotes: AsyncStream<String>
    private let task: Task<Void, any Error>

    init(_ credentials: TransportCredentials, maximumFrameSize: Int = Frame.defaultMaximumSize,
         handshakeTimeout: TimeAmount = .seconds(2)) async throws {
        let transport = Transport(credentials: credentials, maximumFrameSize: maximumFrameSize, handshakeTimeout: handshakeTimeout)
        let listener = try await transport.listen(port: 0)
        let (refusals, refused) = AsyncStream.makeStream(of: (any Error).self)
        let (remotes, connected) = AsyncStream.makeStream(of: String.self)
        self.listener = listener
        self.refusals = refusals
        self.remotes = remotes
        task = Task {
            try await listener.serve(onRefused: { refused.yield($0) }) { connection in
                connected.yield("\(connection.remote.mspID)/\(connection.remote.role.rawValue)")
                for try await packet in connection.packets { try await connection.send(packet) }
            }
        }
    }

    var port: Int { listener.port }

    func stop() { task.cancel() }

    /// The next refusal the server reports.
    func nextRefusal() async throws -> any Error {
        let refusals = self.refusals
        return try await withDeadline {
            for await error in refusals { return error }
            throw DeadlineExceeded(seconds: 0, what: "refusal stream ended")
        }
    }
}

/// A TLS client that skips fabnet's handshake, to send whatever bytes a test wants.
enum RawTLSClient {
    static func connect(port: Int, certificate: URL?, key: URL?, trustRoots: [URL]) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let certificate, let key {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate.path).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key.path, format: .pem))
        }
        configuration.trustRoots = .certificates(try trustRoots.flatMap { try NIOSSLCertificate.fromPEMFile($0.path) })
        configuration.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: configuration)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }
}

/// A packet `EchoServer` sends back as it is: a broadcast response "hello STREAM".
func echoPacket(_ stream: UInt64) -> WirePacket {
    var packet = WirePacket()
    packet.stream = stream
    packet.broadcastResponse.info = "hello \(stream)"
    return packet
}
