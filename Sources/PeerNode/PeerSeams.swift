import OperationsEndpoint

/// What a `PeerService` takes from outside instead of making it: its child tasks (and through
/// them its clock), its gossip transport, the orderer it pulls blocks from while leader, and its
/// random generator. A peer process uses sockets and the continuous clock
/// (`PeerService.init(home:logging:metrics:)`); tests pass a `ManualClock`, an in-memory
/// transport, a fake orderer and a seeded generator.
///
/// Guarantees: the service reads time only from `tasks.clock`, sends only through `transport`,
/// pulls only from `blockSource` and draws randomness only from `random`; `tasks` must be the
/// one the transport (if it starts tasks) was given, so that everything runs inside the
/// service's `run()`.
public struct PeerSeams: Sendable {
    public var tasks: ChildTasks
    public var transport: any GossipTransport
    public var blockSource: any OrdererBlockSource
    public var random: any RandomNumberGenerator & Sendable

    public init(tasks: ChildTasks, transport: any GossipTransport, blockSource: any OrdererBlockSource,
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()) {
        self.tasks = tasks
        self.transport = transport
        self.blockSource = blockSource
        self.random = random
    }

    /// The service's clock (the tasks' clock).
    public var clock: any NodeClock { tasks.clock }
}
