import FabnetConfig
import FabnetCrypto
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// Generated TLS identities work for mutual TLS with NIO-SSL (the transport fabnet uses): two
/// identities whose CAs the other side trusts connect; a client from a TLS CA the server does not
/// trust is refused.
@Suite struct MutualTLSTests {
    /// Replies to each message with the same bytes.
    final class EchoHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// Completes `reply` with the first message, or fails it on error or close.
    final class ReplyHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let reply: EventLoopPromise<String>
        init(reply: EventLoopPromise<String>) { self.reply = reply }
        /// Sends "ping" as soon as the connection exists (TLS holds it until the handshake is
        /// done): the exchange runs on the event loop alone, so its deadline does not depend on
        /// when the test's task is scheduled.
        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(NIOAny(ByteBuffer(string: "ping")), promise: nil)
            context.fireChannelActive()
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            reply.succeed(String(buffer: unwrapInboundIn(data)))
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            reply.fail(error)
            context.close(promise: nil)
        }
        func channelInactive(context: ChannelHandlerContext) {
            reply.fail(ChannelError.eof)
        }
    }

    struct Identity {
        let certificate: URL
        let key: URL
    }

    func identity(_ layout: CryptoLayout, _ org: OrganizationSpec, peer index: Int) -> Identity {
        let directory = layout.nodeDirectory(org.peers[index], in: org).appendingPathComponent("tls")
        return Identity(certificate: directory.appendingPathComponent("server.crt"), key: directory.appendingPathComponent("server.key"))
    }

    /// Serves on 127.0.0.1 as `server`, trusting `serverTrusts`; connects as `client`; returns the echo.
    func exchange(server: Identity, serverTrusts: [URL], client: Identity, clientTrusts: [URL], hostname: String) async throws -> String {
        let group = MultiThreadedEventLoopGroup.singleton
        var serverConfiguration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(server.certificate.path).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: server.key.path, format: .pem)))
        serverConfiguration.trustRoots = .certificates(try serverTrusts.flatMap { try NIOSSLCertificate.fromPEMFile($0.path) })
        serverConfiguration.certificateVerification = .noHostnameVerification
        let serverContext = try NIOSSLContext(configuration: serverConfiguration)

        var clientConfiguration = TLSConfiguration.makeClientConfiguration()
        clientConfiguration.certificateChain = try NIOSSLCertificate.fromPEMFile(client.certificate.path).map { .certificate($0) }
        clientConfiguration.privateKey = .privateKey(try NIOSSLPrivateKey(file: client.key.path, format: .pem))
        clientConfiguration.trustRoots = .certificates(try clientTrusts.flatMap { try NIOSSLCertificate.fromPEMFile($0.path) })
        clientConfiguration.certificateVerification = .fullVerification
        let clientContext = try NIOSSLContext(configuration: clientConfiguration)

        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: serverContext))
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let reply = group.next().makePromise(of: String.self)
        // A deadline, not a sleep: if nothing happens in 10 s the exchange fails.
        let deadline = group.next().scheduleTask(in: .seconds(10)) { reply.fail(ChannelError.connectTimeout(.seconds(10))) }
        var connection: Channel?
        do {
            let port = try #require(listener.localAddress?.port)
            connection = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: clientContext, serverHostname: hostname))
                        try channel.pipeline.syncOperations.addHandler(ReplyHandler(reply: reply))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            let echoed = try await reply.futureResult.get()
            deadline.cancel()
            try? await connection?.close()
            try? await listener.close()
            return echoed
        } catch {
            deadline.cancel()
            reply.fail(error)
            try? await connection?.close()
            try? await listener.close()
            throw error
        }
    }

    /// The default network's material in a scratch folder.
    struct Material {
        let scratch: ScratchDirectory
        let layout: CryptoLayout
        let org1: OrganizationSpec
        let org2: OrganizationSpec

        init() throws {
            scratch = try ScratchDirectory("mtls")
            let spec = try Networks.defaultSpec()
            _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
            layout = CryptoLayout(root: scratch.url)
            org1 = spec.organizations[1]
            org2 = spec.organizations[2]
        }

        func tlsRoot(_ org: OrganizationSpec) -> URL { layout.tlsCADirectory(org).appendingPathComponent(layout.tlsCACertificateName(org)) }
    }

    @Test func identitiesOfTwoOrgsConnectWhenEachTrustsTheOther() async throws {
        let material = try Material()
        defer { material.scratch.remove() }
        let (layout, org1, org2) = (material.layout, material.org1, material.org2)
        let roots = [org1, org2].map(material.tlsRoot)
        let echoed = try await exchange(server: identity(layout, org1, peer: 0), serverTrusts: roots,
                                        client: identity(layout, org2, peer: 0), clientTrusts: roots,
                                        hostname: "peer0.org1.example.com")
        #expect(echoed == "ping")
    }

    @Test func clientFromAnotherOrgsTLSCAIsRefused() async throws {
        let material = try Material()
        defer { material.scratch.remove() }
        let (layout, org1, org2) = (material.layout, material.org1, material.org2)
        let org1Root = material.tlsRoot(org1)
        let roots = [org1, org2].map(material.tlsRoot)
        // Same org still works with only its own root...
        let echoed = try await exchange(server: identity(layout, org1, peer: 0), serverTrusts: [org1Root],
                                        client: identity(layout, org1, peer: 1), clientTrusts: roots, hostname: "peer0.org1.example.com")
        #expect(echoed == "ping")
        // ...while Org2's peer, whose TLS CA the server does not trust, is refused.
        await #expect(throws: (any Error).self) {
            _ = try await exchange(server: identity(layout, org1, peer: 0), serverTrusts: [org1Root],
                                   client: identity(layout, org2, peer: 0), clientTrusts: roots, hostname: "peer0.org1.example.com")
        }
    }

    @Test func serverNamesInTheSANsAreAccepted() async throws {
        let material = try Material()
        defer { material.scratch.remove() }
        let (layout, org1) = (material.layout, material.org1)
        let roots = [material.tlsRoot(org1)]
        for name in ["peer0.org1.example.com", "localhost", "peer0"] {
            let echoed = try await exchange(server: identity(layout, org1, peer: 0), serverTrusts: roots,
                                            client: identity(layout, org1, peer: 1), clientTrusts: roots, hostname: name)
            #expect(echoed == "ping")
        }
        // NIO-SSL also accepts the certificate when the connected IP (127.0.0.1, in every SAN list)
        // matches, whatever name was asked for. So on loopback the name alone does not identify a
        // node: the transport must bind identity in its own handshake. This pins that fact.
        let echoed = try await exchange(server: identity(layout, org1, peer: 0), serverTrusts: roots,
                                        client: identity(layout, org1, peer: 1), clientTrusts: roots, hostname: "peer1.org1.example.com")
        #expect(echoed == "ping")
    }
}
