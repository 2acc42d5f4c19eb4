import ArgumentParser
import Foundation
import NIOCore
import OperationsEndpoint
import Orchestrator

/// `fabnet ui`: a live picture of the network in a browser, served on 127.0.0.1 until Ctrl-C.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve a live picture of the network on 127.0.0.1 (Ctrl-C ends).",
        discussion: """
        The page shows the orgs and their nodes (up, down, not answering), every node's height \
        per channel (a height that grows flashes; a peer behind is marked), which peer leads each \
        channel for its org, and the gossip connections the peers opened. It polls twice a \
        second: the ui asks every node's admin status and every peer's operations endpoint \
        (/connections). `fabnet up` in the foreground serves it too and prints its URL. \
        /api/network is the same picture as JSON.

        Examples:
          fabnet ui                       # then open http://127.0.0.1:7080
          fabnet ui --port 9000 --state /tmp/net
          curl -s http://127.0.0.1:7080/api/network | jq '.connections | length'
        """
    )

    @Option(help: ArgumentHelp("The port to serve on (127.0.0.1 only).", valueName: "P"))
    var port = UIServer.defaultPort

    @OptionGroup var description: NetworkOptions
    @OptionGroup var stateOptions: StateOptions

    func validate() throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--port must be from 1 to 65535, got \(port)") }
    }

    func run() async throws {
        try await Console.reportingErrors {
            let manifest = try stateOptions.manifest()
            let spec = try description.load(for: manifest).spec
            let server = try await UIServer.start(port: port, state: stateOptions.network,
                                                  clients: NodeClients(spec: spec, layout: .init(root: URL(fileURLWithPath: manifest.cryptoDirectory)), manifest: manifest))
            print("serving the network's picture on http://127.0.0.1:\(server.port) (Ctrl-C ends)")
            fflush(nil)
            let stop = AsyncStream.makeStream(of: Void.self)
            let watcher = SignalWatcher { _ in stop.continuation.finish() }
            defer { watcher.cancel() }
            for await _ in stop.stream {}
            try? await server.channel.close()
        }
    }
}

/// The HTTP server behind `fabnet ui` (NIOHTTP1, the operations endpoint's server): `/` is the
/// page (`UIPage`), `/api/network` the current `NetworkPicture`.
///
/// Guarantees: binds 127.0.0.1 only; a port in use is an error naming it and the fix; a
/// network whose `network.json` changes (a node restarted: new pid) is read again per request.
struct UIServer {
    static let defaultPort = 7080

    let channel: any Channel
    let port: Int

    static func start(port: Int, state: NetworkState, clients: NodeClients) async throws -> UIServer {
        var router = OperationsRouter()
        router.on(.GET, "/") { _ in OperationsResponse(contentType: "text/html; charset=utf-8", body: UIPage.html) }
        router.on(.GET, "/api/network") { _ in
            let manifest = (try? state.load()) ?? clients.manifest
            return .json(await NetworkPicture.take(manifest: manifest, state: state, clients: clients))
        }
        let channel: any Channel
        do {
            channel = try await OperationsServer.start(port: port, routes: router.routes)
        } catch {
            throw OrchestratorError.state("cannot serve the ui on 127.0.0.1:\(port) (\(error)); pick another port with --port")
        }
        return UIServer(channel: channel, port: OperationsServer.boundPort(of: channel) ?? port)
    }
}
