/// A gateway's tunables, with Fabric's defaults where Fabric has one.
///
/// - `maximumHeightLag`: how many blocks below the highest known ledger height a peer may be and
///   still be asked to endorse or evaluate (0: only peers at the highest height).
/// - `endorsementTimeout`: how long one peer may take to answer one proposal before it counts as
///   unreachable (Fabric's `EndorsementTimeout`, 30 s).
/// - `broadcastTimeout`: the same for one orderer and one transaction (Fabric's `BroadcastTimeout`, 30 s).
public struct GatewayOptions: Sendable, Equatable {
    public var maximumHeightLag: UInt64
    public var endorsementTimeout: Duration
    public var broadcastTimeout: Duration

    public init(maximumHeightLag: UInt64 = 0, endorsementTimeout: Duration = .seconds(30),
                broadcastTimeout: Duration = .seconds(30)) {
        self.maximumHeightLag = maximumHeightLag
        self.endorsementTimeout = endorsementTimeout
        self.broadcastTimeout = broadcastTimeout
    }
}
