/// Why a channel's Fabric configuration could not be built from the description: the channel,
/// where in the configuration (`/Channel/Application/Org1MSP/Endorsement`), what is wrong and
/// what to do. Its `description` is a complete message.
public struct ChannelConfigBuildError: Error, Sendable, CustomStringConvertible {
    public let channel: String
    public let path: String
    public let problem: String
    public let hint: String

    public var description: String { "channel \(channel), \(path): \(problem) (\(hint))" }
}
