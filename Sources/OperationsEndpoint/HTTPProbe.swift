import NIOCore
import NIOHTTP1
import NIOPosix

/// A small non-blocking HTTP/1.1 client on NIO, for probing operations endpoints (`/healthz`,
/// `/metrics`, `/commits/…`) from async code: one request per connection.
///
/// Guarantees: never blocks a thread; gives up with `HTTPProbeError.timedOut` once `timeout`
/// seconds have passed since the call (connecting included); reads the answer even when the
/// server answers before taking the whole request (an early 413); closes its connection in
/// every case. (async-http-client would do, but it adds minutes to a clean build for one GET.)
public enum HTTPProbe {
    /// The answer: its status code, body (as UTF-8) and `Content-Type`, if any.
    public struct Response: Sendable {
        public let status: Int
        public let body: String
        public let contentType: String?
    }

    typealias Connection = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// `GET path` on `host:port`.
    public static func get(host: String = "127.0.0.1", port: Int, path: String, timeout: Double = 5) async throws -> Response {
        try await request("GET", host: host, port: port, path: path, timeout: timeout)
    }

    /// `method path` with `body` on `host:port`, waiting at most `timeout` seconds in all.
    public static func request(_ method: String = "GET", host: String = "127.0.0.1", port: Int, path: String, body: String = "",
                               timeout: Double = 5, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Response {
        let target = "\(method) http://\(host):\(port)\(path)"
        let deadline = NIODeadline.now() + .nanoseconds(Int64(max(timeout, 0.001) * 1e9))
        let connection: Connection
        do {
            let bootstrap = ClientBootstrap(group: group).connectTimeout(deadline - NIODeadline.now())
            let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
            // An IP address is dialled as it is, without NIO's resolver (two lookups on threads
            // of their own per request): `up` polls a hundred nodes every few milliseconds.
            connection = if let address = try? SocketAddress(ipAddress: host, port: port) {
                try await bootstrap.connect(to: address, channelInitializer: initializer)
            } else {
                try await bootstrap.connect(host: host, port: port, channelInitializer: initializer)
            }
        } catch {
            throw NIODeadline.now() >= deadline ? HTTPProbeError.timedOut(target, seconds: timeout) : HTTPProbeError.unreachable(target, reason: "\(error)")
        }
        // The total timeout: closing the channel ends the exchange wherever it waits.
        let timer = connection.channel.eventLoop.scheduleTask(deadline: deadline) { connection.channel.close(promise: nil) }
        defer { timer.cancel() }
        var reason = "the server closed the connection"
        do {
            let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path,
                                       headers: headers(host: host, port: port, body: body))
            if let response = try await connection.executeThenClose({ inbound, outbound in
                try await exchange(head: head, body: body, inbound: inbound, outbound: outbound)
            }) {
                return response
            }
        } catch {
            reason = "\(error)"
        }
        throw NIODeadline.now() >= deadline ? HTTPProbeError.timedOut(target, seconds: timeout) : HTTPProbeError.incomplete(target, reason: reason)
    }

    static func headers(host: String, port: Int, body: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
        return headers
    }

    /// Sends the request and reads the answer; nil when the connection ends before a whole one.
    static func exchange(head: HTTPRequestHead, body: String, inbound: NIOAsyncChannelInboundStream<HTTPClientResponsePart>,
                         outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async throws -> Response? {
        var parts: [HTTPClientRequestPart] = [.head(head)]
        if !body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(string: body)))) }
        parts.append(.end(nil))
        do {
            try await outbound.write(contentsOf: parts)
        } catch {
            // A server may answer and close before the last write completes (it had the whole
            // body, or refused it early): its answer is still in the inbound stream.
        }
        var responseHead: HTTPResponseHead?
        var collected = ByteBuffer()
        for try await part in inbound {
            switch part {
            case .head(let received): responseHead = received
            case .body(var buffer): collected.writeBuffer(&buffer)
            case .end:
                guard let responseHead else { return nil }
                return Response(status: Int(responseHead.status.code), body: String(buffer: collected),
                                contentType: responseHead.headers.first(name: "Content-Type"))
            }
        }
        return nil
    }
}

/// Why an `HTTPProbe` request has no answer: the request, what happened, what to check.
public enum HTTPProbeError: Error, CustomStringConvertible {
    case unreachable(String, reason: String)
    case timedOut(String, seconds: Double)
    case incomplete(String, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let target, let reason):
            "\(target): cannot connect (\(reason)); is the node running and is this its operations port?"
        case .timedOut(let target, let seconds):
            "\(target): no complete answer within \(seconds) s; the node may be overloaded or stuck (see its log)"
        case .incomplete(let target, let reason):
            "\(target): the connection ended before a complete answer (\(reason)); see the node's log for why"
        }
    }
}
