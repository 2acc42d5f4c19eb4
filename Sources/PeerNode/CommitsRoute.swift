import OperationsEndpoint

/// `GET /commits/<channel>?from=N`: when each block from N on was cut and committed on this
/// peer (`CommitRecords`), for benchmarks.
///
/// Guarantees: only blocks numbered N or more are listed (all when `from` is absent); a `from`
/// that is not a block number is answered 400 saying what to send; a channel this peer has not
/// joined is answered 404 naming the channels it has.
enum CommitsRoute {
    static let prefix = "/commits/"

    static func respond(to request: OperationsRequest, records: CommitRecords, channels: [String]) -> OperationsResponse {
        let channel = String(request.path.dropFirst(prefix.count))
        var first: UInt64 = 0
        if let from = request.query["from"] {
            guard let number = UInt64(from) else {
                return .error(.badRequest, "from=\(from) is not a block number: send a whole number of 0 or more, e.g. \(prefix)\(channel)?from=5")
            }
            first = number
        }
        guard channels.contains(channel) else {
            return .error(.notFound, "this peer has not joined channel '\(channel)' (joined: \(channels.joined(separator: ", ")))")
        }
        return OperationsResponse(body: records.json(channel: channel, from: first))
    }
}
