import Foundation

extension ChaosBench {
    /// One fault as it happened. Guarantees: the times are the ones observed (a strike that came
    /// late, after a slow heal before it, shows late); the counts are of transactions that ended
    /// between `struckAt` and `healedAt`.
    public struct FaultReport: Sendable, Encodable {
        public let kind: ChaosSchedule.Kind
        public let nodes: [String]
        public let description: String
        /// Seconds after the clients started: when it struck, when it healed.
        public let struckAt: Double
        public let healedAt: Double
        /// Transactions that ended acknowledged (`ok`), certainly not valid (`fail`) and unknown
        /// (`info`) between the two.
        public let acknowledgedDuring: Int
        public let failedDuring: Int
        public let unknownDuring: Int
        /// What the fault is expected to stop (e.g. endorsement under MAJORITY), if anything.
        public let expected: String?
        /// What could not be done striking or healing it.
        public let problems: [String]
    }

    /// What a run showed: `broken` when a promise was broken (an acknowledged transaction
    /// missing on some peer, or a divergent peer), `undecided` when the run could not judge (the
    /// peers never agreed, a heal failed, nothing was acknowledged, a peer could not be asked),
    /// `passed` otherwise. `fabnet bench chaos` exits 0, 1 and 2 for them.
    public enum Verdict: String, Sendable, Encodable {
        case passed, broken, undecided
    }

    /// The whole report of a run. Guarantees: `verdict` follows from the fields as `Verdict`
    /// says; every count is of the clients' completions (the history holds the same lines).
    public struct Report: Sendable, Encodable {
        public let seed: UInt64
        public let seconds: Double
        /// Transactions the clients invoked (each has an `invoke` line in the history).
        public let submitted: Int
        /// Ended `ok`: CommitStatus answered VALID.
        public let acknowledged: Int
        /// Ended `fail`: certainly not valid (endorsement refused, another validation code).
        public let failed: Int
        /// Ended `info`: unknown (a submit or CommitStatus that failed or timed out).
        public let unknown: Int
        /// Acknowledged transactions some peer does not hold as VALID: must be 0.
        public let missing: Int
        /// Up to 10 of them, each with the peers that lack it.
        public let missingExamples: [String]
        /// The peers every acknowledged transaction was looked up on, and those that could not
        /// be asked (not running, or no answer to 50 lookups in a row).
        public let peersLookedUp: [String]
        public let peersNotLookedUp: [String]
        public let divergentPeers: [String]
        public let divergences: [String]
        /// Seconds from the end of the run until the clients' last transactions ended.
        public let drainSeconds: Double
        /// From the later of the last heal and the clients' last transaction until every peer
        /// agreed (same height as the orderer, same blocks, flags and world state); nil when they
        /// never agreed within the timeout.
        public let secondsToAgree: Double?
        public let height: UInt64?
        public let faults: [FaultReport]
        /// Faults of the schedule that would have struck after the run's end (heals before them
        /// took longer than planned), left out.
        public let skippedFaults: Int
        public let history: String
        /// History lines that could not be written (a full disk): the file is then incomplete.
        public let historyWriteFailures: Int
        /// What kept the run from judging, if anything (a failed heal, no agreement, …).
        public let checkError: String?
        /// The network's folder, kept (logs under `state/logs/`) when the run did not pass.
        public internal(set) var keptFolder: String?

        public var verdict: Verdict {
            if missing > 0 || !divergentPeers.isEmpty { return .broken }
            if secondsToAgree == nil || checkError != nil || acknowledged == 0 || !peersNotLookedUp.isEmpty { return .undecided }
            return .passed
        }

        public var passed: Bool { verdict == .passed }

        enum CodingKeys: String, CodingKey {
            case seed, seconds, submitted, acknowledged, failed, unknown, missing, missingExamples, peersLookedUp, peersNotLookedUp
            case divergentPeers, divergences, drainSeconds, secondsToAgree, height, faults, skippedFaults, history, historyWriteFailures
            case checkError, keptFolder, verdict
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(seed, forKey: .seed)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(submitted, forKey: .submitted)
            try container.encode(acknowledged, forKey: .acknowledged)
            try container.encode(failed, forKey: .failed)
            try container.encode(unknown, forKey: .unknown)
            try container.encode(missing, forKey: .missing)
            try container.encode(missingExamples, forKey: .missingExamples)
            try container.encode(peersLookedUp, forKey: .peersLookedUp)
            try container.encode(peersNotLookedUp, forKey: .peersNotLookedUp)
            try container.encode(divergentPeers, forKey: .divergentPeers)
            try container.encode(divergences, forKey: .divergences)
            try container.encode(drainSeconds, forKey: .drainSeconds)
            try container.encode(secondsToAgree, forKey: .secondsToAgree)
            try container.encode(height, forKey: .height)
            try container.encode(faults, forKey: .faults)
            try container.encode(skippedFaults, forKey: .skippedFaults)
            try container.encode(history, forKey: .history)
            try container.encode(historyWriteFailures, forKey: .historyWriteFailures)
            try container.encode(checkError, forKey: .checkError)
            try container.encode(keptFolder, forKey: .keptFolder)
            try container.encode(verdict, forKey: .verdict)
        }
    }
}
