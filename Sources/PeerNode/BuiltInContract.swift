import FabnetClient
import FabricWire
import Foundation
import Ledger

/// The contract fabnet's own commands call (`fabnet tx put`): chaincode `fabnet`, run inside each
/// peer, no server needed. Functions: `put KEY VALUE [KEY VALUE …]` writes (an empty value
/// deletes), `del KEY …` deletes, `get KEY` reads (the value is the response's payload).
///
/// Guarantees: a simulation as Fabric's: reads see the committed snapshot only and record the
/// version read (none when absent), the last write of a key wins, and the read-write set lists
/// reads and writes sorted by key (Fabric's rwset builder order), so every peer at one height
/// endorses the same bytes; an unknown function or a wrong argument count answers status 500
/// with what is expected.
enum BuiltInContract {
    static let version = "1.0"

    /// The contract's answer and what it read and wrote.
    struct Execution {
        let response: Protos_Response
        let readWriteSet: Rwset_TxReadWriteSet
        let version: String
    }

    static func invoke(_ proposal: UnpackedProposal, state: WorldState) -> Execution {
        let namespace = TransactionBuilder.namespace
        func failure(_ message: String) -> Execution {
            Execution(response: Protos_Response.with { $0.status = 500; $0.message = message }, readWriteSet: Rwset_TxReadWriteSet(), version: version)
        }
        let arguments = proposal.input.args
        guard let function = arguments.first.map({ String(decoding: $0, as: UTF8.self) }) else {
            return failure("the fabnet contract needs a function: put KEY VALUE…, del KEY…, get KEY")
        }
        let rest = Array(arguments.dropFirst())
        var reads: [String: Kvrwset_KVRead] = [:]
        var writes: [String: Kvrwset_KVWrite] = [:]
        var payload = Data()
        func write(_ key: String, _ value: Data) {
            writes[key] = Kvrwset_KVWrite.with { $0.key = key; $0.value = value; $0.isDelete = value.isEmpty }
        }
        switch function {
        case "put":
            guard !rest.isEmpty, rest.count.isMultiple(of: 2) else { return failure("put takes KEY VALUE pairs, got \(rest.count) arguments") }
            for index in stride(from: 0, to: rest.count, by: 2) { write(String(decoding: rest[index], as: UTF8.self), rest[index + 1]) }
        case "del":
            guard !rest.isEmpty else { return failure("del takes one or more keys") }
            for key in rest { write(String(decoding: key, as: UTF8.self), Data()) }
        case "get":
            guard rest.count == 1 else { return failure("get takes one key, got \(rest.count) arguments") }
            let key = String(decoding: rest[0], as: UTF8.self)
            let committed = state[namespace, key]
            reads[key] = Kvrwset_KVRead.with { read in
                read.key = key
                if let committed { read.version = Kvrwset_Version.with { $0.blockNum = committed.version.block; $0.txNum = committed.version.transaction } }
            }
            payload = committed?.value ?? Data()
        default:
            return failure("the fabnet contract has no function '\(function)' (put, del, get)")
        }
        func ordered<Value>(_ entries: [String: Value]) -> [Value] {
            entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map(\.value)
        }
        var set = Kvrwset_KVRWSet()
        set.reads = ordered(reads)
        set.writes = ordered(writes)
        var namespaceSet = Rwset_NsReadWriteSet()
        namespaceSet.namespace = namespace
        namespaceSet.rwset = (try? set.serializedBytes()) ?? Data()
        var rwset = Rwset_TxReadWriteSet()
        rwset.dataModel = .kv
        rwset.nsRwset = [namespaceSet]
        return Execution(response: Protos_Response.with { $0.status = 200; $0.payload = payload }, readWriteSet: rwset, version: version)
    }
}
