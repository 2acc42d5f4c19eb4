import FabnetModel
import GossipCore

/// The invariants every simulation checks. On each delivery and commit:
/// - blocks are committed strictly in order, never twice, and equal to the orderer's;
/// - nothing of a channel (blocks, pull, state info, leadership, state transfer answers) reaches a
///   peer outside the channel;
/// - blocks, pull and leadership never cross orgs (state transfer may, between channel peers);
/// - no internal endpoint reaches another org, and no peer is disclosed to an org it shares no
///   channel with (as the recipient's own channel configuration says).
/// At the end (`checkSettled`, after the faults are over and the network had time to settle):
/// - at most one leader per org and channel (exactly one where the org has dynamic peers running);
/// - every running channel peer committed every block the orderer cut; one whose commits were
///   made to fail from block N (`failCommits`) halted the channel and holds exactly the blocks
///   below N. A halt nobody injected is a violation.
extension SimulatedNetwork.Peer {
    mutating func violate(_ what: String, at time: GossipTime) {
        if violations.isEmpty { traceAtFirstViolation = trace.ordered.map { time, event in "\(time) \(describe(event))" } }
        violations.append((time, what))
    }

    mutating func checkDelivery(_ message: GossipMessage, from signerIndex: Int, now: GossipTime, view: SharedView) {
        let recipientOrg = configuration.mspID
        switch message {
        case .membership(let inner):
            let carried = inner.carriedAliveMessages
            let partners = configuration.sharing.partners(of: recipientOrg)
            for alive in carried where alive.mspID != recipientOrg {
                if alive.internalEndpoint != nil {
                    violate("the internal endpoint of \(alive.mspID) peer \(alive.pkiID) reached peer \(index) of \(recipientOrg)", at: now)
                }
                if !partners.contains(alive.mspID) {
                    violate("\(alive.mspID) peer \(alive.pkiID) was disclosed to peer \(index) of \(recipientOrg), which shares no channel with it",
                            at: now)
                }
            }
        case let .channel(mac, inner):
            guard let channel = view.channelByMAC[mac] else {
                violate("peer \(signerIndex) sent a message for a channel MAC no peer uses", at: now)
                return
            }
            if inner.carriesChannelContent, !channels.contains(channel) {
                violate("\(SimulatedNetwork.kind(of: inner)) of \(channel) from peer \(signerIndex) reached peer \(index), which is not in \(channel)",
                        at: now)
            }
            switch inner {
            case .block, .pull, .leadership:
                let senderOrg = view.signers[signerIndex].mspID
                if senderOrg != recipientOrg {
                    violate("\(SimulatedNetwork.kind(of: inner)) of \(channel) went from \(senderOrg) to \(recipientOrg)", at: now)
                }
            default:
                break
            }
        }
    }

    private func describe(_ event: TracedEvent) -> String {
        switch event {
        case let .timer(timer): return "peer \(index) timer \(timer)"
        case let .deliver(message, signer): return "peer \(signer) → peer \(index): \(SimulatedNetwork.summary(of: message))"
        case let .deliverSummary(kind, entries, signer):
            return "peer \(signer) → peer \(index): \(String(GossipMessage.kinds[kind].map { $0 == "_" ? " " : $0 })) (\(entries) entries)"
        case let .fromOrderer(channel, number): return "orderer → peer \(index): block \(number) of \(channel)"
        }
    }
}

extension SimulatedNetwork {
    mutating func violate(_ what: String) {
        if networkViolations.isEmpty { networkTraceAtFirstViolation = traceLines() }
        networkViolations.append((now, what))
    }

    /// Checks the end-of-run invariants; call after the faults are over and the network settled.
    public mutating func checkSettled() {
        let channels = Set(peers.flatMap(\.channels)).sorted()
        for channel in channels {
            let leading = leaders(of: channel)
            let orgs = Set(peers.filter { $0.channels.contains(channel) }.map(\.configuration.mspID)).sorted()
            for org in orgs {
                let count = leading[org]?.count ?? 0
                let electing = peers.contains { $0.isRunning && $0.mode == .dynamic && $0.configuration.mspID == org && $0.channels.contains(channel) }
                if count > 1 { violate("\(org) has \(count) leaders in \(channel): peers \(leading[org]!)") }
                if count == 0 && electing { violate("\(org) has no leader in \(channel)") }
            }
            let total = UInt64(cut[channel]?.count ?? 0)
            for index in peers.indices where peers[index].isRunning && peers[index].channels.contains(channel) {
                let height = peers[index].height(of: channel)
                let failingFrom = peers[index].failingCommits[channel]
                if let reason = peers[index].halted[channel], failingFrom == nil {
                    violate("peer \(index) halted \(channel) though no commit failure was injected: \(reason)")
                }
                let expected = failingFrom.map { min($0, total) } ?? total
                if height != expected { violate("peer \(index) has \(height) of the \(total) blocks of \(channel) (expected \(expected))") }
            }
        }
    }

    /// The last network-wide events before now, one line each.
    public func traceLines() -> [String] {
        networkTrace.ordered.map { time, event in "\(time) \(describe(event))" }
    }

    private func describe(_ event: NetworkEvent) -> String {
        switch event {
        case let .start(index, keep): return "start peer \(index)\(keep ? "" : " with an empty ledger")"
        case let .ordererCut(channel, number, _): return "orderer cuts block \(number) of \(channel)"
        case .fault(let fault): return "fault \(fault)"
        }
    }

    static func summary(of message: GossipMessage) -> String {
        switch message {
        case .membership(.alive(let batch)): return "alive " + batch.map { "\($0.pkiID)@\($0.time.incarnation).\($0.time.sequence)" }.joined(separator: " ")
        case .membership(.request(let sender, _, _)): return "membership request from \(sender.pkiID)"
        case let .membership(.response(alive, dead)): return "membership response (\(alive.count) alive, \(dead.count) dead)"
        case let .membership(.ping(nonce, sender, updates)): return "ping \(nonce) from \(sender.map { "\($0.pkiID)" } ?? "a known peer") with \(updates.count) updates"
        case let .membership(.ack(nonce, updates)): return "ack \(nonce) with \(updates.count) updates"
        case let .membership(.pingRequest(nonce, target, _, updates)): return "ping request \(nonce) for \(target) with \(updates.count) updates"
        case .membership(.want(let ids)): return "want \(ids.count) alive messages"
        case .membership(.versionDigest(let sender, _)): return "version digest from \(sender.pkiID)"
        case .membership(.versionsWanted): return "versions wanted"
        case .channel(let mac, let inner): return "\(kind(of: inner)) [\(mac)]"
        }
    }

    static func kind(of message: ChannelMessage) -> String {
        switch message {
        case .leadership(let inner): return inner.isDeclaration ? "leader declaration" : "leader proposal"
        case .block(let block, _): return "block \(block.number)"
        case .pull(.hello): return "pull hello"
        case .pull(.digest): return "pull digest"
        case .pull(.request): return "pull request"
        case let .pull(.update(_, blocks)): return "pull update \(blocks.map(\.number))"
        case .stateInfo(let info): return "state info height \(info.height)"
        case .stateInfoRequest: return "state info request"
        case .stateInfoSnapshot(let infos): return "state info snapshot (\(infos.count))"
        case .stateInfoHeights(let claims): return "state info heights (\(claims.count))"
        case let .stateRequest(_, first, count): return "state request \(first)..<\(first + UInt64(count))"
        case let .stateResponse(_, blocks): return "state response \(blocks.first?.number ?? 0)…\(blocks.last?.number ?? 0)"
        }
    }
}
