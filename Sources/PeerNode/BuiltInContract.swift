import ChaincodeRuntime
import FabnetClient
import FabricWire
import Foundation

/// The contract fabnet's own commands call (`fabnet tx put`): chaincode `fabnet`, run inside each
/// peer, no server needed. Functions: `put KEY VALUE [KEY VALUE …]` writes (an empty value
/// deletes), `del KEY …` deletes, `get KEY` reads (the value is the response's payload),
/// `emit NAME PAYLOAD [KEY VALUE …]` sets the transaction's chaincode event (Fabric allows one
/// per transaction) and writes the pairs, as `put` does.
///
/// Guarantees: the same simulation as any chaincode (`TransactionSimulator` on a snapshot: reads
/// see the committed state with versions, the read-write set sorted as Fabric's builder sorts
/// it), so every peer at one height endorses the same bytes; an unknown function or a wrong
/// argument count answers status 500 with what is expected.
enum BuiltInContract {
    static let version = "1.0"

    static func invoke(_ proposal: UnpackedProposal, state: any CommittedState) throws -> ChaincodeInvocation {
        let namespace = TransactionBuilder.namespace
        func failure(_ message: String) -> ChaincodeInvocation {
            ChaincodeInvocation(response: Protos_Response.with { $0.status = 500; $0.message = message }, readWriteSet: Rwset_TxReadWriteSet(), events: nil)
        }
        let arguments = proposal.input.args
        guard let function = arguments.first.map({ String(decoding: $0, as: UTF8.self) }) else {
            return failure("the fabnet contract needs a function: put KEY VALUE…, del KEY…, get KEY, emit NAME PAYLOAD [KEY VALUE…]")
        }
        let rest = Array(arguments.dropFirst())
        var simulator = TransactionSimulator(state: state)
        var payload = Data()
        var event: Protos_ChaincodeEvent?
        switch function {
        case "put":
            guard !rest.isEmpty, rest.count.isMultiple(of: 2) else { return failure("put takes KEY VALUE pairs, got \(rest.count) arguments") }
            for index in stride(from: 0, to: rest.count, by: 2) {
                try simulator.putState(namespace: namespace, key: String(decoding: rest[index], as: UTF8.self), value: rest[index + 1])
            }
        case "del":
            guard !rest.isEmpty else { return failure("del takes one or more keys") }
            for key in rest { try simulator.deleteState(namespace: namespace, key: String(decoding: key, as: UTF8.self)) }
        case "get":
            guard rest.count == 1 else { return failure("get takes one key, got \(rest.count) arguments") }
            payload = simulator.getState(namespace: namespace, key: String(decoding: rest[0], as: UTF8.self)) ?? Data()
        case "emit":
            guard rest.count >= 2, rest.count.isMultiple(of: 2) else {
                return failure("emit takes NAME PAYLOAD and then KEY VALUE pairs, got \(rest.count) arguments")
            }
            guard !rest[0].isEmpty else { return failure("emit needs an event name: an empty one is not allowed (as the shims' SetEvent)") }
            event = Protos_ChaincodeEvent.with {
                $0.chaincodeID = namespace
                $0.txID = proposal.txID
                $0.eventName = String(decoding: rest[0], as: UTF8.self)
                $0.payload = rest[1]
            }
            for index in stride(from: 2, to: rest.count, by: 2) {
                try simulator.putState(namespace: namespace, key: String(decoding: rest[index], as: UTF8.self), value: rest[index + 1])
            }
        default:
            return failure("the fabnet contract has no function '\(function)' (put, del, get, emit)")
        }
        return ChaincodeInvocation(response: Protos_Response.with { $0.status = 200; $0.payload = payload },
                                   readWriteSet: try simulator.readWriteSet(), events: event)
    }
}
