import FabricWire

extension Protos_ChaincodeMessage.TypeEnum {
    /// The name Fabric gives the message type (`GET_STATE`, …), for messages people read.
    var fabricName: String {
        switch self {
        case .undefined: return "UNDEFINED"
        case .register: return "REGISTER"
        case .registered: return "REGISTERED"
        case .init_: return "INIT"
        case .ready: return "READY"
        case .transaction: return "TRANSACTION"
        case .completed: return "COMPLETED"
        case .error: return "ERROR"
        case .getState: return "GET_STATE"
        case .putState: return "PUT_STATE"
        case .delState: return "DEL_STATE"
        case .invokeChaincode: return "INVOKE_CHAINCODE"
        case .response: return "RESPONSE"
        case .getStateByRange: return "GET_STATE_BY_RANGE"
        case .getQueryResult: return "GET_QUERY_RESULT"
        case .queryStateNext: return "QUERY_STATE_NEXT"
        case .queryStateClose: return "QUERY_STATE_CLOSE"
        case .keepalive: return "KEEPALIVE"
        case .getHistoryForKey: return "GET_HISTORY_FOR_KEY"
        case .getStateMetadata: return "GET_STATE_METADATA"
        case .putStateMetadata: return "PUT_STATE_METADATA"
        case .getPrivateDataHash: return "GET_PRIVATE_DATA_HASH"
        case .purgePrivateData: return "PURGE_PRIVATE_DATA"
        case .writeBatchState: return "WRITE_BATCH_STATE"
        case .getStateMultiple: return "GET_STATE_MULTIPLE"
        case .UNRECOGNIZED(let number): return "message type \(number)"
        }
    }

    /// Why fabnet's peer does not answer this request type, and what the chaincode can do instead.
    var unsupportedReason: String {
        switch self {
        case .getQueryResult: return "rich queries need CouchDB, which fabnet does not run; use GetStateByRange"
        case .getHistoryForKey: return "fabnet keeps no history database"
        case .getStateMetadata, .putStateMetadata: return "key-level (state-based) endorsement is not supported"
        case .getPrivateDataHash, .purgePrivateData: return "private data collections are not supported"
        case .invokeChaincode: return "chaincode-to-chaincode calls are not supported"
        case .getStateMultiple, .writeBatchState: return "batched state calls are not supported; use GetState and PutState per key"
        case .register: return "the chaincode has already registered on this stream"
        default: return "the peer does not expect it from a chaincode"
        }
    }
}
