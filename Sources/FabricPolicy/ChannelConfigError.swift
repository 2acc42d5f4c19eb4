/// A channel configuration that cannot be read: the path of the group, value or policy
/// (`/Channel/Orderer/BatchSize`) and what is wrong with it. Its `description` is a complete message.
public struct ChannelConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "channel configuration, \(path): \(problem)" }
}
