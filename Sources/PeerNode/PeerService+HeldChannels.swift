import FabnetClient
import FabricWire

/// Channels held at a restart. `fabnet up` restarting a whole network starts each peer with
/// `--hold-channels`: the peer opens the ledgers of the channels it joined before but gossips,
/// elects and serves none of them until `up` joins it again, lowest PKI-ID first, once every
/// node is healthy, as it joins a new network's peers. Peers that resumed their channels as they
/// came up elected while their org was still spawning (33–68 leaders for a moment in a 100-peer
/// restart, against one per org in a new network) and saturated the machine.
///
/// Guarantees: a held channel is resumed at the height its ledger holds, by a join whose block 0
/// has the ledger's block 0 header (another is refused, and the channel stays held), or by the
/// peer itself once the hold ends (so a peer whose `up` died still serves its channels); a
/// resumed channel is served exactly as one resumed at start.
extension PeerService {
    /// The channels held, by name.
    var heldChannelNames: [String] { heldLedgers.keys.sorted() }

    /// Resumes the held channel `name`: checks `genesis` (nil when the hold ended) against the
    /// ledger's block 0, then serves the channel and starts its gossip at the ledger's height.
    func resumeHeld(_ name: String, joinedWith genesis: Common_Block?) throws -> String {
        guard let ledger = heldLedgers[name] else { return "already a member of \(name)" }
        guard let first = try ledger.block(0), let view = ChannelGenesis.view(in: first) else {
            heldLedgers[name] = nil
            throw PeerError.notAllowed("channel \(name): the ledger lost its configuration block 0 while held; join the channel again with `fabnet channel join \(name)`")
        }
        if let genesis, genesis.header != first.header {
            throw PeerError.notAllowed("channel \(name): this peer's ledger begins with another block 0 than the one given (its data hash differs); the channel was made anew since the peer joined it: run `fabnet down --clean` and `fabnet up` to start afresh")
        }
        heldLedgers[name] = nil
        let orgs = serve(ledger, as: name, view: view)
        loggers.ledger.info("channel \(name): resumed at height \(ledger.height)")
        perform(core.join(channel: name, organizations: orgs, height: ledger.height, now: now, random: &random))
        return "resumed \(name) at height \(ledger.height)"
    }

    /// Ends the hold `channelHold` after start: what `up` did not join again is resumed now.
    func scheduleHoldEnd() {
        guard let hold = channelHold, !heldLedgers.isEmpty else { return }
        tasks.schedule(at: clock.now + hold) { [weak self] in await self?.endHold(after: hold) }
    }

    func endHold(after hold: Duration) {
        guard !stopped else { return }
        for name in heldLedgers.keys.sorted() {
            loggers.ledger.warning("channel \(name): not joined again within \(hold) of start; serving it")
            do { _ = try resumeHeld(name, joinedWith: nil) } catch { loggers.ledger.error("\(error)") }
        }
    }
}
