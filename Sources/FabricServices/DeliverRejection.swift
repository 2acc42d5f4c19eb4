import FabricWire

/// Why a Deliver request ends without its blocks: the Fabric `Status` the client receives as the
/// stream's final `DeliverResponse`, and a sentence for the server's log.
///
/// Guarantees: `status` is never `SUCCESS`.
public struct DeliverRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Common_Status
    public let reason: String

    public init(_ status: Common_Status, _ reason: String) {
        precondition(status != .success, "a rejection cannot carry SUCCESS")
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status) (\(status.rawValue)): \(reason)" }
}
