import FabnetModel

/// Every message one peer's gossip sends.
public enum GossipMessage: Hashable, Sendable {
    case membership(MembershipMessage)
    /// Leadership traffic of one channel, among one org's peers.
    case leadership(channel: String, LeadershipMessage)
    /// A block of one channel, pushed among one org's peers.
    case block(channel: String, GossipBlock)
    /// Block pull of one channel among one org's peers.
    case pull(channel: String, PullMessage)
}

/// One peer's gossip as a single pure state machine: membership, and per channel the org's
/// leader election. It routes events to its parts and turns their effects into sends and timers
/// the shell performs. (Block dissemination, pull and state transfer join here next.)
public struct GossipPeer: Sendable {
    public enum Timer: Hashable, Sendable {
        case membership(Membership.Timer)
        case election(channel: String, LeaderElection.Timer)
        case emit(channel: String)
        case pull(channel: String)
        case digestWait(channel: String, nonce: UInt64)
    }

    public enum Event: Sendable {
        case start
        case timer(Timer)
        case received(Verified<GossipMessage>, via: Endpoint?)
        /// A block this peer pulled from the orderer (as leader), already checked.
        case blockFromOrderer(channel: String, GossipBlock)
    }

    public enum Effect: Hashable, Sendable {
        case send(GossipMessage, to: Destination)
        case schedule(Timer, at: GossipTime)
        /// This peer became (or stopped being) the one that pulls `channel`'s blocks from the orderer.
        case startPulling(channel: String)
        case stopPulling(channel: String)
        /// Append this block to the channel's ledger (in order, once each).
        case commit(channel: String, GossipBlock)
        case log(String)
    }

    public private(set) var membership: Membership
    public private(set) var elections: [String: LeaderElection]
    public private(set) var blocks: [String: BlockDissemination]

    /// `channels`: the channels this peer is in; election `mode` from its settings; `heights`:
    /// the ledger height of each channel at start (a restart continues from its ledger).
    public init(configuration: MembershipConfiguration, channels: [String], mode: LeaderElection.Mode, incarnation: UInt64,
                heights: [String: UInt64] = [:]) {
        membership = Membership(configuration: configuration, incarnation: incarnation)
        elections = Dictionary(uniqueKeysWithValues: channels.map {
            ($0, LeaderElection(pkiID: configuration.pkiID, mode: mode, settings: configuration.settings, incarnation: incarnation))
        })
        blocks = Dictionary(uniqueKeysWithValues: channels.map { ($0, BlockDissemination(settings: configuration.settings, height: heights[$0] ?? 0)) })
        for (channel, height) in heights { _ = elections[channel]?.handle(.height(height), now: .zero) }
    }

    public var configuration: MembershipConfiguration { membership.configuration }

    public mutating func handle(_ event: Event, now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        switch event {
        case .start:
            var effects = lift(membership.handle(.start, now: now, random: &random), now: now, random: &random)
            for channel in elections.keys.sorted() {
                effects += elect(channel, .start, now: now)
                effects.append(.schedule(.pull(channel: channel), at: now + configuration.settings.pullInterval))
            }
            return effects
        case .timer(.membership(let timer)):
            return lift(membership.handle(.timer(timer), now: now, random: &random), now: now, random: &random)
        case let .timer(.election(channel, timer)):
            return elect(channel, .timer(timer), now: now)
        case .timer(.emit(let channel)):
            return disseminate(channel, .emitTimer, now: now, random: &random)
        case .timer(.pull(let channel)):
            return disseminate(channel, .pullTimer, now: now, random: &random)
        case let .timer(.digestWait(channel, nonce)):
            return disseminate(channel, .digestWaitOver(nonce: nonce), now: now, random: &random)
        case let .blockFromOrderer(channel, block):
            return disseminate(channel, .fromOrderer(block), now: now, random: &random)
        case let .received(message, via):
            switch message.value {
            case .membership(let inner):
                return lift(membership.handle(.received(message.map { _ in inner }, via: via), now: now, random: &random), now: now, random: &random)
            case let .leadership(channel, inner):
                // Leadership stays in the org, from its own signer.
                guard message.signer.mspID == configuration.mspID, message.signer.pkiID == inner.pkiID else {
                    return [.log("leadership message for \(channel) from \(message.signer.mspID) \(message.signer.pkiID) dropped")]
                }
                return elect(channel, .received(inner), now: now)
            case let .block(channel, block):
                // Blocks stay inside the org.
                guard message.signer.mspID == configuration.mspID else {
                    return [.log("block \(block.number) of \(channel) from another org (\(message.signer.mspID)) dropped")]
                }
                return disseminate(channel, .received(block, from: message.signer.pkiID), now: now, random: &random)
            case let .pull(channel, inner):
                guard message.signer.mspID == configuration.mspID else {
                    return [.log("pull message of \(channel) from another org (\(message.signer.mspID)) dropped")]
                }
                return disseminate(channel, .pull(inner, from: message.signer.pkiID), now: now, random: &random)
            }
        }
    }

    /// Membership effects, plus a fresh org view for every election when someone came or went.
    private mutating func lift(_ effects: [Membership.Effect], now: GossipTime, random: inout some RandomNumberGenerator) -> [Effect] {
        var result: [Effect] = []
        var viewChanged = false
        for effect in effects {
            switch effect {
            case let .send(message, destination): result.append(.send(.membership(message), to: destination))
            case let .schedule(timer, time): result.append(.schedule(.membership(timer), at: time))
            case .log(let line): result.append(.log(line))
            case .memberAlive(_, let mspID), .memberDead(_, let mspID): viewChanged = viewChanged || mspID == configuration.mspID
            }
        }
        if viewChanged {
            let orgPeers = membership.aliveMembers.filter { $0.alive.mspID == configuration.mspID }
            let view = Set(orgPeers.map(\.alive.pkiID))
            var endpoints: [PKIID: Endpoint] = [:]
            for member in orgPeers { endpoints[member.alive.pkiID] = member.alive.internalEndpoint ?? member.alive.externalEndpoint }
            for channel in elections.keys.sorted() { _ = elections[channel]?.handle(.view(view), now: now) }
            for channel in blocks.keys.sorted() { _ = blocks[channel]?.handle(.orgPeers(endpoints), now: now, random: &random) }
        }
        return result
    }

    private mutating func disseminate(_ channel: String, _ event: BlockDissemination.Event, now: GossipTime,
                                      random: inout some RandomNumberGenerator) -> [Effect] {
        guard var flow = blocks[channel] else { return [.log("block for unknown channel \(channel) dropped")] }
        let effects = flow.handle(event, now: now, random: &random)
        blocks[channel] = flow
        return effects.map { effect in
            switch effect {
            case let .push(block, peer, endpoint): return .send(.block(channel: channel, block), to: .peer(peer, endpoint))
            case .commit(let block): return .commit(channel: channel, block)
            case .scheduleEmit(let time): return .schedule(.emit(channel: channel), at: time)
            case let .sendPull(message, peer, endpoint): return .send(.pull(channel: channel, message), to: .peer(peer, endpoint))
            case .schedulePull(let time): return .schedule(.pull(channel: channel), at: time)
            case let .scheduleDigestWait(nonce, time): return .schedule(.digestWait(channel: channel, nonce: nonce), at: time)
            }
        }
    }

    private mutating func elect(_ channel: String, _ event: LeaderElection.Event, now: GossipTime) -> [Effect] {
        guard var election = elections[channel] else { return [] }
        let effects = election.handle(event, now: now)
        elections[channel] = election
        let orgPeers = membership.aliveMembers.filter { $0.alive.mspID == configuration.mspID }
        return effects.flatMap { effect -> [Effect] in
            switch effect {
            case .broadcast(let message):
                return orgPeers.map { member in
                    .send(.leadership(channel: channel, message),
                          to: .peer(member.alive.pkiID, member.alive.internalEndpoint ?? member.alive.externalEndpoint ?? configuration.internalEndpoint))
                }
            case let .schedule(timer, time): return [.schedule(.election(channel: channel, timer), at: time)]
            case .startPulling: return [.startPulling(channel: channel)]
            case .stopPulling: return [.stopPulling(channel: channel)]
            case .log(let line): return [.log("\(channel): \(line)")]
            }
        }
    }
}
