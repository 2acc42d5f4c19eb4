import FabricWire
import Foundation
import SwiftProtobuf

/// The answers to the shim's state requests (GET_STATE … QUERY_STATE_CLOSE).
extension ShimHandler {
    /// A request the simulator or the handler refuses, with the text the ERROR carries.
    struct Refusal: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    /// RESPONSE or ERROR for a state request.
    mutating func answer(_ request: Protos_ChaincodeMessage) -> Protos_ChaincodeMessage {
        let key = TransactionKey(channel: request.channelID, txID: request.txid)
        let name = request.type.fabricName
        guard var transaction = transactions[key] else {
            return Self.error(to: request, "\(name) failed: no \(key) is in flight on this stream (it completed, timed out or was never invoked)")
        }
        do {
            let payload = try answer(request, in: &transaction)
            transactions[key] = transaction
            return Self.response(to: request, payload)
        } catch let refusal as Refusal {
            transactions[key] = transaction
            return Self.error(to: request, "\(name) failed for \(key): \(refusal.text)")
        } catch {
            transactions[key] = transaction
            return Self.error(to: request, "\(name) failed for \(key): \(error)")
        }
    }

    private mutating func answer(_ request: Protos_ChaincodeMessage, in transaction: inout Transaction) throws -> Data {
        let namespace = configuration.chaincodeName
        switch request.type {
        case .getState:
            let get = try decode(Protos_GetState.self, request)
            try refusePrivateData(get.collection)
            return transaction.simulator.getState(namespace: namespace, key: get.key) ?? Data()
        case .putState:
            let put = try decode(Protos_PutState.self, request)
            try refusePrivateData(put.collection)
            try transaction.simulator.putState(namespace: namespace, key: put.key, value: put.value)
            return Data()
        case .delState:
            let delete = try decode(Protos_DelState.self, request)
            try refusePrivateData(delete.collection)
            try transaction.simulator.deleteState(namespace: namespace, key: delete.key)
            return Data()
        case .getStateByRange:
            return try openRange(try decode(Protos_GetStateByRange.self, request), in: &transaction)
        case .queryStateNext:
            let next = try decode(Protos_QueryStateNext.self, request)
            guard let query = transaction.openQueries[next.id] else {
                throw Refusal("query iterator \(next.id) not found (it was exhausted or closed)")
            }
            return try page(of: query, id: next.id, limit: configuration.rangeBatchSize, in: &transaction)
        case .queryStateClose:
            let close = try decode(Protos_QueryStateClose.self, request)
            transaction.openQueries[close.id] = nil
            return try Protos_QueryResponse.with {
                $0.hasMore_p = false
                $0.id = close.id
            }.serializedBytes()
        default:
            throw Refusal("not a state request")
        }
    }

    /// GET_STATE_BY_RANGE: without a page size, the first of the pages QUERY_STATE_NEXT goes on
    /// with; with one (QueryMetadata), that single page, its bookmark in the response metadata.
    private mutating func openRange(_ range: Protos_GetStateByRange, in transaction: inout Transaction) throws -> Data {
        try refusePrivateData(range.collection)
        var pageSize: Int?
        var start = range.startKey
        if !range.metadata.isEmpty {
            guard let metadata = try? Protos_QueryMetadata(serializedBytes: range.metadata) else {
                throw Refusal("its metadata is not a QueryMetadata")
            }
            if metadata.pageSize > 0 {
                pageSize = Int(metadata.pageSize)
                if !metadata.bookmark.isEmpty { start = metadata.bookmark }
            }
        }
        let query = try transaction.simulator.openRangeQuery(namespace: configuration.chaincodeName, start: start,
                                                             end: range.endKey, pageSize: pageSize)
        queryCounter += 1
        let id = "q\(queryCounter)"
        guard let pageSize else {
            return try page(of: query, id: id, limit: configuration.rangeBatchSize, in: &transaction)
        }
        let batch = try transaction.simulator.next(query, limit: pageSize)
        let metadata = Protos_QueryResponseMetadata.with {
            $0.fetchedRecordsCount = Int32(batch.records.count)
            $0.bookmark = transaction.simulator.bookmark(query) ?? ""
        }
        let results = try Self.resultBytes(batch.records)
        return try Protos_QueryResponse.with {
            $0.results = results
            $0.hasMore_p = false
            $0.id = id
            $0.metadata = try metadata.serializedBytes()
        }.serializedBytes()
    }

    /// The next page of an unpaginated range query; the query stays open while pages remain.
    private mutating func page(of query: RangeQueryID, id: String, limit: Int, in transaction: inout Transaction) throws -> Data {
        let batch = try transaction.simulator.next(query, limit: limit)
        transaction.openQueries[id] = batch.hasMore ? query : nil
        let results = try Self.resultBytes(batch.records)
        return try Protos_QueryResponse.with {
            $0.results = results
            $0.hasMore_p = batch.hasMore
            $0.id = id
        }.serializedBytes()
    }

    /// Each record as Fabric's QueryResultBytes (a serialized `queryresult.KV`).
    private static func resultBytes(_ records: [Queryresult_KV]) throws -> [Protos_QueryResultBytes] {
        try records.map { record in
            var bytes = Protos_QueryResultBytes()
            bytes.resultBytes = try record.serializedBytes()
            return bytes
        }
    }

    private func decode<Message: SwiftProtobuf.Message>(_ type: Message.Type, _ request: Protos_ChaincodeMessage) throws -> Message {
        do { return try Message(serializedBytes: request.payload) } catch {
            throw Refusal("its payload is not a \(Message.protoMessageName)")
        }
    }

    private func refusePrivateData(_ collection: String) throws {
        guard collection.isEmpty else {
            throw Refusal("private data collections (here \(collection)) are not supported by fabnet's peer; keep the data in the chaincode's public state")
        }
    }
}
