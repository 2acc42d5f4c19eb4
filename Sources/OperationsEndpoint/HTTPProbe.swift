import NIOCore
import NIOHTTP1
import NIOPosix

/// A small non-blocking HTTP/1.1 client on NIO, for probing operations endpoints (`/healthz`,
/// `/metrics`, `/commits/…`) from async code: one request per connection.
///
/// Guarantees: never blocks a thread; gives up with `HTTPProbeError.timedOut` once `timeout`
/// seconds have passed since the call (connecting included) and closes its connection in every
/// case. (async-http-client would do, but it adds minutes to a clean build for one GET.)
public enum HTTPProbe {
    public struct Response: Sendable {
        public let status: Int
        public let body: String
        public let contentType: String?
    }

    /// `GET path` on `host:port`.
    public static func get(host: String = "127.0.0.1", port: Int, path: String, timeout: Double = 5) async throws -> Response {
        try await request("GET", host: host, port: port, path: path, timeout: timeout)
    }

    /// `method path` with `body` on `host:port`, waiting at most `timeout` seconds in all.
    public static func request(_ method: String = "GET", host: String = "127.0.0.1", port: Int, path: String, body: String = "",
                               timeout: Double = 5, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> Response {
        let target = "\(method) http://\(host):\(port)\(path)"
        let deadline = NIODeadline.now() + .nanoseconds(Int64(max(timeout, 0.001) * 1e9))
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(deadline - NIODeadline.now())
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
            // The total timeout: closing the channel ends the exchange below wherever it waits.
            let timer = channel.channel.eventLoop.scheduleTask(deadline: deadline) { channel.channel.close(promise: nil) }
            defer { timer.cancel() }
            let response = try await channel.executeThenClose { inbound, outbound -> Response? in
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: "\(host):\(port)")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                headers.add(name: "Connection", value: "close")
                if !body.isEmpty { headers.add(name: "Content-Type", value: "application/json") }
                try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path, headers: headers)))
                if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(string: body)))) }
                try await outbound.write(.end(nil))
                var head: HTTPResponseHead?
                var collected = ByteBuffer()
                for try await part in inbound {
                    switch part {
                    case .head(let received): head = received
                    case .body(var buffer): collected.writeBuffer(&buffer)
                    case .end:
                        guard let head else { return nil }
                        return Response(status: Int(head.status.code), body: String(buffer: collected),
                                        contentType: head.headers.first(name: "Content-Type"))
                    }
                }
                return nil
            }
            guard let response else {
                throw NIODeadline.now() >= deadline ? HTTPProbeError.timedOut(target, seconds: timeout) : HTTPProbeError.incomplete(target)
            }
            return response
        } catch let error as HTTPProbeError {
            throw error
        } catch {
            if NIODeadline.now() >= deadline { throw HTTPProbeError.timedOut(target, seconds: timeout) }
            throw HTTPProbeError.unreachable(target, reason: "\(error)")
        }
    }
}

/// Why an `HTTPProbe` request has no answer: the request, what happened, what to check.
public enum HTTPProbeError: Error, CustomStringConvertible {
    case unreachable(String, reason: String)
    case timedOut(String, seconds: Double)
    case incomplete(String)

    public var description: String {
        switch self {
        case .unreachable(let target, let reason):
            "\(target): cannot connect (\(reason)); is the node running and is this its operations port?"
        case .timedOut(let target, let seconds):
            "\(target): no complete answer within \(seconds) s; the node may be overloaded or stuck (see its log)"
        case .incomplete(let target):
            "\(target): the connection closed before a complete answer; see the node's log for why it stopped"
        }
    }
}
