import FabricPolicy
import Foundation
import Ledger

/// Everything a block's transactions are judged against, as of the block before it: the
/// channel, its member orgs and policies, the chaincode definitions in force, the committed
/// world state and the transaction index. Plus fabnet's rules for its own namespaces.
///
/// Guarantees: a plain value; `BlockValidator` reads it and never changes the caller's copy.
public struct ValidationContext: Sendable {
    public var channel: String
    /// The number of the block being validated (versions of its writes are `(number, index)`).
    public var blockNumber: UInt64
    /// The MSP IDs of the channel's application orgs.
    public var organizations: Set<String>
    /// The channel's policies (configuration in force).
    public var policies: PolicyEvaluator
    public var definitions: DefinitionsInForce
    public var state: WorldState
    public var transactions: TransactionIndex
    /// Namespaces a transaction may write with its creator's signature alone, no endorsement
    /// and no definition: `fabnet`, which `fabnet tx put` writes until it becomes an endorsed
    /// call of the built-in contract.
    public var creatorOnlyNamespaces: Set<String>
    /// The policy that writes to the lifecycle namespace (chaincode definitions) must satisfy,
    /// over the creator and the endorsers. `nil` (the default): one admin of any of the
    /// channel's orgs, as `fabnet chaincode deploy` commits a definition as one org's Admin;
    /// `.channelPolicy("/Channel/Application/Admins")` would ask a majority of the orgs' admins.
    public var lifecyclePolicy: EndorsementPolicy?
    /// When set, a chaincode's endorsements count only from peers (role `peer`), whatever its
    /// policy names. Off by default, as in Fabric, where the policy alone decides which roles
    /// count (its default org `Endorsement` policies name `peer`). Lifecycle writes are never
    /// affected: admins sign them.
    public var onlyPeersEndorse: Bool

    public init(channel: String, blockNumber: UInt64, organizations: Set<String>, policies: PolicyEvaluator,
                definitions: DefinitionsInForce, state: WorldState, transactions: TransactionIndex,
                creatorOnlyNamespaces: Set<String> = ["fabnet"], lifecyclePolicy: EndorsementPolicy? = nil,
                onlyPeersEndorse: Bool = false) {
        self.channel = channel
        self.blockNumber = blockNumber
        self.organizations = organizations
        self.policies = policies
        self.definitions = definitions
        self.state = state
        self.transactions = transactions
        self.creatorOnlyNamespaces = creatorOnlyNamespaces
        self.lifecyclePolicy = lifecyclePolicy
        self.onlyPeersEndorse = onlyPeersEndorse
    }

    /// The context for the next block of `ledger` (number `ledger.height`, its state and
    /// transaction index as committed so far).
    public init(nextBlockOf ledger: ChannelLedger, organizations: Set<String>, policies: PolicyEvaluator,
                definitions: DefinitionsInForce) {
        self.init(channel: ledger.channel, blockNumber: ledger.height, organizations: organizations, policies: policies,
                  definitions: definitions, state: ledger.state, transactions: ledger.transactions)
    }

    /// How a transaction that writes (or invokes) `namespace` is judged, with `definitions` in
    /// force at its place in the block; `nil`: no chaincode of that name (INVALID_CHAINCODE).
    func rule(for namespace: String, definitions: DefinitionsInForce) -> NamespaceRule? {
        if namespace == DefinitionsInForce.namespace { return .lifecycle(lifecyclePolicy ?? .anyAdmin(of: organizations)) }
        if creatorOnlyNamespaces.contains(namespace) { return .creatorOnly }
        return definitions[namespace].map(NamespaceRule.chaincode)
    }
}

/// How the writes to one namespace are authorised.
enum NamespaceRule: Sendable, Hashable {
    /// fabnet's unendorsed namespace: the creator's verified signature suffices.
    case creatorOnly
    /// fabnet's lifecycle namespace: `policy` over creator and endorsers, and every write a
    /// well-formed definition, the next of its name (`LifecycleWrites`).
    case lifecycle(EndorsementPolicy)
    /// A defined chaincode: its endorsement policy over the endorsers.
    case chaincode(ChaincodeDefinition)
}
