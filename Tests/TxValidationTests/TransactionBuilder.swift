import FabricPolicy
import FabricWire
import Foundation
import SwiftProtobuf
@testable import Ledger
@testable import TxValidation

/// The ledger's version (SwiftProtobuf has a `Version` too).
typealias Version = Ledger.Version

/// One identity of the test channel: its MSP, a name standing in for its certificate, and the
/// roles its NodeOU gives it.
struct TestIdentity: Sendable {
    let mspID: String
    let name: String
    let roles: Set<PolicyRole>

    var serialized: Data {
        try! Msp_SerializedIdentity.with { $0.mspid = mspID; $0.idBytes = Data("certificate of \(name)".utf8) }.serializedBytes()
    }

    /// As the shell records it once the signature verified.
    var signer: PolicySigner { PolicySigner(mspID: mspID, roles: roles.union([.member]), identity: serialized) }

    static let client1 = TestIdentity(mspID: "Org1MSP", name: "User1@org1", roles: [.client])
    static let client2 = TestIdentity(mspID: "Org2MSP", name: "User1@org2", roles: [.client])
    static let peer1 = TestIdentity(mspID: "Org1MSP", name: "peer0.org1", roles: [.peer])
    static let peer1b = TestIdentity(mspID: "Org1MSP", name: "peer1.org1", roles: [.peer])
    static let peer2 = TestIdentity(mspID: "Org2MSP", name: "peer0.org2", roles: [.peer])
    static let admin1 = TestIdentity(mspID: "Org1MSP", name: "Admin@org1", roles: [.admin])
    static let admin2 = TestIdentity(mspID: "Org2MSP", name: "Admin@org2", roles: [.admin])
    static let outsider = TestIdentity(mspID: "Org3MSP", name: "peer0.org3", roles: [.peer])
}

/// Builds endorser transactions as a Fabric client assembles them from endorsed proposal
/// responses (channel header with a ChaincodeHeaderExtension, one action whose
/// ProposalResponsePayload names the proposal by its hash and carries the ChaincodeAction with
/// the read-write set, one Endorsement per endorser), with reads at versions, writes, range
/// query infos, and ways to break each rule. `candidate()` opens it and records the signature
/// checks the shell would have made: all verified unless told otherwise.
struct TransactionBuilder {
    var channel = "mychannel"
    var chaincode = "basic"
    var version = "1.0"
    var creator = TestIdentity.client1
    var nonce: Data
    var namespaces: [(name: String, set: Kvrwset_KVRWSet)] = []
    var endorsers: [TestIdentity] = []
    // Ways to break the transaction.
    var actionCount = 1
    var actionHeader: Data?
    var proposalHash: Data?
    var txID: String?
    var actionChaincode: String?
    var results: Data?
    var events: Data?
    var headerExtension: Data?
    var responseExtension: Data?

    init(_ nonce: String, chaincode: String = "basic") {
        self.nonce = Data(nonce.utf8)
        self.chaincode = chaincode
    }

    private func with(_ change: (inout TransactionBuilder) -> Void) -> TransactionBuilder {
        var copy = self
        change(&copy)
        return copy
    }

    private func inNamespace(_ namespace: String?, _ change: @escaping (inout Kvrwset_KVRWSet) -> Void) -> TransactionBuilder {
        with { builder in
            let name = namespace ?? builder.chaincode
            if let index = builder.namespaces.firstIndex(where: { $0.name == name }) {
                change(&builder.namespaces[index].set)
            } else {
                var set = Kvrwset_KVRWSet()
                change(&set)
                builder.namespaces.append((name, set))
            }
        }
    }

    /// A second, empty entry for `namespace` in the read-write set (Fabric refuses that).
    func repeatingNamespace(_ namespace: String) -> TransactionBuilder {
        with { $0.namespaces.append((namespace, Kvrwset_KVRWSet())) }
    }

    /// A key metadata write (state-based endorsement) in the chaincode's namespace.
    func writingMetadata(_ key: String) -> TransactionBuilder {
        inNamespace(nil) { set in
            set.metadataWrites.append(.with { $0.key = key; $0.entries = [.with { $0.name = "VALIDATION_PARAMETER"; $0.value = Data([1]) }] })
        }
    }

    /// Reads `key` at `version` (`nil`: the key was absent).
    func reading(_ key: String, at version: Version?, in namespace: String? = nil) -> TransactionBuilder {
        inNamespace(namespace) { set in
            set.reads.append(Kvrwset_KVRead.with { read in
                read.key = key
                if let version { read.version = .with { $0.blockNum = version.block; $0.txNum = version.transaction } }
            })
        }
    }

    /// Writes `value` to `key` (`nil`: deletes it).
    func writing(_ key: String, _ value: String?, in namespace: String? = nil) -> TransactionBuilder {
        writing(key, data: value.map { Data($0.utf8) }, in: namespace)
    }

    func writing(_ key: String, data value: Data?, in namespace: String? = nil) -> TransactionBuilder {
        inNamespace(namespace) { set in
            set.writes.append(Kvrwset_KVWrite.with { write in
                write.key = key
                if let value { write.value = value } else { write.isDelete = true }
            })
        }
    }

    /// A range query from `start` to `end` that read `reads` (and was exhausted, or stopped at
    /// its last read key: then `end` is that key, as Fabric's simulator records it).
    func ranging(from start: String, to end: String, exhausted: Bool = true, read reads: [(String, Version)],
                 in namespace: String? = nil) -> TransactionBuilder {
        inNamespace(namespace) { set in
            set.rangeQueriesInfo.append(Kvrwset_RangeQueryInfo.with { info in
                info.startKey = start
                info.endKey = end
                info.itrExhausted = exhausted
                info.rawReads = .with { raw in
                    raw.kvReads = reads.map { key, version in
                        Kvrwset_KVRead.with { $0.key = key; $0.version = .with { $0.blockNum = version.block; $0.txNum = version.transaction } }
                    }
                }
            })
        }
    }

    func endorsed(by identities: TestIdentity...) -> TransactionBuilder {
        with { $0.endorsers = identities }
    }

    func created(by identity: TestIdentity) -> TransactionBuilder {
        with { $0.creator = identity }
    }

    func changing(_ change: (inout TransactionBuilder) -> Void) -> TransactionBuilder { with(change) }

    var expectedTxID: String { txID ?? FabricTransactionID.make(nonce: nonce, creator: creator.serialized) }

    func envelope() -> Data {
        let chaincodeID = Protos_ChaincodeID.with { $0.name = chaincode }
        let channelHeader = try! Common_ChannelHeader.with {
            $0.type = Int32(Common_HeaderType.endorserTransaction.rawValue)
            $0.channelID = channel
            $0.txID = expectedTxID
            $0.timestamp = Google_Protobuf_Timestamp(seconds: 1_800_000_000)
            $0.extension = headerExtension ?? (try! Protos_ChaincodeHeaderExtension.with { $0.chaincodeID = chaincodeID }.serializedBytes())
        }.serializedBytes() as Data
        let signatureHeader = try! Common_SignatureHeader.with { $0.creator = creator.serialized; $0.nonce = nonce }.serializedBytes() as Data
        let headerInAction = actionHeader ?? signatureHeader
        let proposalPayload = try! Protos_ChaincodeProposalPayload.with {
            $0.input = try! Protos_ChaincodeInvocationSpec.with {
                $0.chaincodeSpec.chaincodeID = chaincodeID
                $0.chaincodeSpec.input.args = [Data("invoke".utf8)]
            }.serializedBytes()
        }.serializedBytes() as Data
        let rwset = Rwset_TxReadWriteSet.with { rwset in
            rwset.dataModel = .kv
            rwset.nsRwset = namespaces.map { namespace in
                Rwset_NsReadWriteSet.with { $0.namespace = namespace.name; $0.rwset = try! namespace.set.serializedBytes() }
            }
        }
        let action = Protos_ChaincodeAction.with {
            $0.results = results ?? (try! rwset.serializedBytes())
            if let events { $0.events = events }
            $0.response.status = 200
            $0.chaincodeID = .with { $0.name = actionChaincode ?? chaincode; $0.version = version }
        }
        let response = try! Protos_ProposalResponsePayload.with {
            $0.proposalHash = proposalHash ?? ProposalHash.make(channelHeader: channelHeader, signatureHeader: headerInAction,
                                                                proposalPayload: proposalPayload)
            $0.extension = responseExtension ?? (try! action.serializedBytes())
        }.serializedBytes() as Data
        let actionPayload = Protos_ChaincodeActionPayload.with {
            $0.chaincodeProposalPayload = proposalPayload
            $0.action.proposalResponsePayload = response
            $0.action.endorsements = endorsers.map { endorser in
                Protos_Endorsement.with { $0.endorser = endorser.serialized; $0.signature = Data("signature of \(endorser.name)".utf8) }
            }
        }
        let transactionAction = Protos_TransactionAction.with {
            $0.header = headerInAction
            $0.payload = try! actionPayload.serializedBytes()
        }
        let payload = Common_Payload.with {
            $0.header.channelHeader = channelHeader
            $0.header.signatureHeader = signatureHeader
            $0.data = try! Protos_Transaction.with { $0.actions = Array(repeating: transactionAction, count: actionCount) }.serializedBytes()
        }
        return try! Common_Envelope.with {
            $0.payload = try! payload.serializedBytes()
            $0.signature = Data("signature of \(creator.name)".utf8)
        }.serializedBytes()
    }

    /// Opened, with the creator's and every endorser's signature verified unless `creatorCheck`
    /// or `endorsementChecks` (by index) say otherwise.
    func candidate(creatorCheck: SignatureCheck? = nil, endorsementChecks: [Int: SignatureCheck] = [:]) -> CandidateTransaction {
        var candidate = CandidateTransaction.prepare(envelope())
        candidate.recordCreator(creatorCheck ?? .verified(creator.signer))
        for (index, endorser) in endorsers.enumerated() {
            candidate.recordEndorsement(index, endorsementChecks[index] ?? .verified(endorser.signer))
        }
        return candidate
    }
}

/// A two-org channel (Org1MSP, Org2MSP, configtxgen's sample policies: Application
/// `Endorsement` MAJORITY Endorsement, org `Endorsement` OR('OrgN.peer'), `Admins` MAJORITY
/// Admins) and the chaincode `basic` defined with the channel's default policy.
enum TestChannel {
    static func policy(_ type: String, _ rule: String) -> Common_Policy {
        try! PolicyDefinition.policy(type: type, rule: rule)
    }

    static func organization(_ msp: String) -> ConfigPolicyGroup {
        ConfigPolicyGroup(policies: [
            "Readers": policy("Signature", "OR('\(msp).admin', '\(msp).peer', '\(msp).client')"),
            "Writers": policy("Signature", "OR('\(msp).admin', '\(msp).client')"),
            "Admins": policy("Signature", "OR('\(msp).admin')"),
            "Endorsement": policy("Signature", "OR('\(msp).peer')"),
        ])
    }

    static let policies = PolicyEvaluator(root: ConfigPolicyGroup(
        policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                   "Admins": policy("ImplicitMeta", "MAJORITY Admins")],
        groups: ["Application": ConfigPolicyGroup(
            policies: ["Readers": policy("ImplicitMeta", "ANY Readers"), "Writers": policy("ImplicitMeta", "ANY Writers"),
                       "Admins": policy("ImplicitMeta", "MAJORITY Admins"),
                       "Endorsement": policy("ImplicitMeta", "MAJORITY Endorsement"),
                       "LifecycleEndorsement": policy("ImplicitMeta", "MAJORITY Endorsement")],
            groups: ["Org1MSP": organization("Org1MSP"), "Org2MSP": organization("Org2MSP")])]))

    static let basic = ChaincodeDefinition(name: "basic", version: "1.0", policy: .channelDefault)

    static func context(block: UInt64 = 5, state: WorldState = WorldState(), transactions: TransactionIndex = TransactionIndex(),
                        definitions: [ChaincodeDefinition] = [basic]) -> ValidationContext {
        ValidationContext(channel: "mychannel", blockNumber: block, organizations: ["Org1MSP", "Org2MSP"], policies: policies,
                          definitions: DefinitionsInForce(definitions), state: state, transactions: transactions)
    }

    /// A state holding `entries` (namespace, key, value, version).
    static func state(_ entries: [(String, String, String, Version)]) -> WorldState {
        var state = WorldState()
        for (namespace, key, value, version) in entries {
            state.apply([.with { $0.key = key; $0.value = Data(value.utf8) }], namespace: namespace, version: version)
        }
        return state
    }

    static func validate(_ candidates: [CandidateTransaction], _ context: ValidationContext = context()) -> ValidatedBlock {
        BlockValidator.validate(candidates, context: context)
    }
}
