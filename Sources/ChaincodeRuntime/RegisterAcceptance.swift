import FabricWire
import Foundation

/// Which chaincode the first message of a `protos.ChaincodeSupport/Register` stream names,
/// among the chaincodes a peer has deployed on its channels (pure: no I/O, no state).
///
/// Guarantees: a registration is accepted only when the first message is a REGISTER whose
/// ChaincodeID names a chaincode deployed to dial in (no address) on a channel of the peer: its
/// ID exactly (`--id`), or, for a chaincode deployed without `--id`, its name alone or followed by
/// `:VERSION` (what Fabric's development mode writes in `CORE_CHAINCODE_ID_NAME`). Everything else
/// is refused with a message that says what was wrong and what to run; a chaincode the peer
/// dials (deployed with an address) is refused too, naming its address.
public enum RegisterAcceptance {
    /// A chaincode as one channel of the peer deploys it.
    public struct Deployment: Sendable, Equatable {
        public var channel: String
        public var name: String
        /// The ID it registers with (its name unless deployed with `--id`).
        public var chaincodeID: String
        /// Its server's `host:port`; empty when the chaincode dials in.
        public var address: String

        public init(channel: String, name: String, chaincodeID: String? = nil, address: String = "") {
            self.channel = channel
            self.name = name
            self.chaincodeID = (chaincodeID?.isEmpty ?? true) ? name : chaincodeID!
            self.address = address
        }

        /// Whether a REGISTER carrying `registeredID` is this chaincode.
        func matches(_ registeredID: String) -> Bool {
            if registeredID == chaincodeID { return true }
            guard chaincodeID == name, let colon = registeredID.firstIndex(of: ":") else { return false }
            return registeredID[..<colon] == name
        }
    }

    /// What to do with the registration.
    public enum Decision: Sendable, Equatable {
        /// Serve it as chaincode `name` (deployed with `chaincodeID`) on `channels`; the REGISTER carried `registeredID`.
        case accept(name: String, chaincodeID: String, registeredID: String, channels: [String])
        /// Answer ERROR with this text and close the stream.
        case refuse(String)
    }

    public static func decide(_ message: Protos_ChaincodeMessage, deployments: [Deployment]) -> Decision {
        guard message.type == .register else {
            return .refuse("the first message on protos.ChaincodeSupport/Register must be REGISTER, not \(message.type.fabricName); the peer closes the stream")
        }
        guard let id = try? Protos_ChaincodeID(serializedBytes: message.payload) else {
            return .refuse("the REGISTER payload is not a ChaincodeID; check the chaincode's shim version")
        }
        let registeredID = id.name
        guard !registeredID.isEmpty else {
            return .refuse("the REGISTER names no chaincode; start the chaincode with CORE_CHAINCODE_ID_NAME=NAME (or NAME:VERSION)")
        }
        let matching = deployments.filter { $0.matches(registeredID) }
        let dialingIn = matching.filter(\.address.isEmpty)
        if let first = dialingIn.min(by: { ($0.name, $0.channel) < ($1.name, $1.channel) }) {
            let same = dialingIn.filter { $0.name == first.name && $0.chaincodeID == first.chaincodeID }
            return .accept(name: first.name, chaincodeID: first.chaincodeID, registeredID: registeredID,
                           channels: same.map(\.channel).sorted())
        }
        if let dialed = matching.min(by: { $0.channel < $1.channel }) {
            return .refuse("chaincode \(dialed.name) is deployed on \(dialed.channel) with the address \(dialed.address): this peer dials its server "
                           + "and takes no registrations for it; deploy it without --address (fabnet chaincode deploy \(dialed.name) -c \(dialed.channel)) to let it dial in")
        }
        let candidates = deployments.filter(\.address.isEmpty).map { "\($0.chaincodeID) on \($0.channel)" }.sorted()
        let known = candidates.isEmpty ? "none" : candidates.joined(separator: ", ")
        let name = registeredID.split(separator: ":", maxSplits: 1).first.map(String.init) ?? registeredID
        return .refuse("chaincode '\(registeredID)' is not defined on any channel of this peer (chaincodes that may dial in here: \(known)); "
                       + "deploy it with `fabnet chaincode deploy \(name) -c CHANNEL` (without --address), or start it with CORE_CHAINCODE_ID_NAME naming a deployed one")
    }

    /// The ERROR a refused (or ended) registration gets before its stream closes.
    public static func error(_ text: String) -> Protos_ChaincodeMessage {
        .with {
            $0.type = .error
            $0.payload = Data(text.utf8)
        }
    }
}
