@testable import ChaincodeRuntime
import FabricWire
import Foundation
import SwiftProtobuf
import Testing

/// The handler as a pure state machine: scripted shim messages in, effects out.
struct ShimHandlerTests {
    static let configuration = ShimHandler.Configuration(chaincodeName: "basic", expectedChaincodeID: "basic:1",
                                                         address: "127.0.0.1:9999", rangeBatchSize: 2)

    func register(_ id: String = "basic:1") throws -> Protos_ChaincodeMessage {
        .with {
            $0.type = .register
            $0.payload = try! Protos_ChaincodeID.with { $0.name = id }.serializedBytes()
        }
    }

    /// A handler past REGISTER.
    func readyHandler() throws -> ShimHandler {
        var handler = ShimHandler(configuration: Self.configuration)
        _ = handler.handle(.received(try register()))
        try #require(handler.phase == .ready)
        return handler
    }

    func invocation(_ txID: String, channel: String = "mychannel", state: InMemoryCommittedState, isInit: Bool = false) throws -> ShimHandler.Invocation {
        ShimHandler.Invocation(transaction: TransactionKey(channel: channel, txID: txID),
                               signedProposal: try signedProposal(channel: channel, txID: txID, chaincode: "basic", args: ["Op"]),
                               input: input(["Op", txID]), simulator: TransactionSimulator(state: state), isInit: isInit)
    }

    func request(_ type: Protos_ChaincodeMessage.TypeEnum, _ payload: some SwiftProtobuf.Message, txID: String,
                 channel: String = "mychannel") -> Protos_ChaincodeMessage {
        .with {
            $0.type = type
            $0.payload = try! payload.serializedBytes()
            $0.txid = txID
            $0.channelID = channel
        }
    }

    func completed(_ txID: String, channel: String = "mychannel", status: Int32 = 200, payload: String = "ok") -> Protos_ChaincodeMessage {
        request(.completed, Protos_Response.with {
            $0.status = status
            $0.payload = bytes(payload)
        }, txID: txID, channel: channel)
    }

    /// The single message the effects send.
    func sent(_ effects: [ShimHandler.Effect]) throws -> Protos_ChaincodeMessage {
        guard effects.count == 1, case .send(let message) = effects[0] else { throw TestFailure("expected one message, got \(effects)") }
        return message
    }

    func outcome(_ effects: [ShimHandler.Effect]) throws -> Result<ChaincodeInvocation, ChaincodeError> {
        guard effects.count == 1, case .complete(_, let result) = effects[0] else { throw TestFailure("expected one completion, got \(effects)") }
        return result
    }

    func queryResponse(_ message: Protos_ChaincodeMessage) throws -> (keys: [String], hasMore: Bool, id: String, metadata: Data) {
        #expect(message.type == .response, "\(String(decoding: message.payload, as: UTF8.self))")
        let response = try Protos_QueryResponse(serializedBytes: message.payload)
        let keys = try response.results.map { try Queryresult_KV(serializedBytes: $0.resultBytes).key }
        return (keys, response.hasMore_p, response.id, response.metadata)
    }

    // MARK: - Registration

    @Test func registerWithTheExpectedIDIsAnsweredWithRegisteredThenReady() throws {
        var handler = ShimHandler(configuration: Self.configuration)
        let effects = handler.handle(.received(try register()))
        #expect(effects == [.send(.with { $0.type = .registered }), .send(.with { $0.type = .ready }), .registered])
        #expect(handler.phase == .ready)
    }

    @Test func anotherIDClosesTheStreamSayingWhatToDo() throws {
        var handler = ShimHandler(configuration: Self.configuration)
        let effects = handler.handle(.received(try register("mycc")))
        let expected = ChaincodeError.wrongChaincodeID(chaincode: "basic", address: "127.0.0.1:9999", registered: "mycc", expected: "basic:1")
        #expect(effects == [.close(expected)])
        #expect(handler.phase == .closed(expected))
        #expect(expected.description.contains("CHAINCODE_ID=basic:1"))
        #expect(expected.description.contains("--id mycc"))
    }

    @Test func aMessageBeforeRegisterClosesTheStream() throws {
        var handler = ShimHandler(configuration: Self.configuration)
        let effects = handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "k" }, txID: "t")))
        guard case .close(.protocolViolation(_, _, let detail))? = effects.first else { throw TestFailure("\(effects)") }
        #expect(detail.contains("GET_STATE"))
    }

    @Test func aCallBeforeRegisterFailsAtOnce() throws {
        var handler = ShimHandler(configuration: Self.configuration)
        let result = try outcome(handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState()))))
        guard case .failure(.unavailable) = result else { throw TestFailure("\(result)") }
    }

    @Test func keepaliveIsIgnoredInEveryPhase() throws {
        var handler = ShimHandler(configuration: Self.configuration)
        #expect(handler.handle(.received(.with { $0.type = .keepalive })).isEmpty)
        #expect(handler.phase == .awaitingRegister)
        handler = try readyHandler()
        #expect(handler.handle(.received(.with { $0.type = .keepalive })).isEmpty)
    }

    // MARK: - Transactions

    @Test func anInvocationSendsTransactionWithInputProposalTxIDAndChannel() throws {
        var handler = try readyHandler()
        let call = try invocation("t1", state: InMemoryCommittedState())
        let message = try sent(handler.handle(.invoke(call)))
        #expect(message.type == .transaction)
        #expect(message.txid == "t1" && message.channelID == "mychannel")
        #expect(try Protos_ChaincodeInput(serializedBytes: message.payload) == call.input)
        #expect(message.proposal == call.signedProposal)

        let initMessage = try sent(handler.handle(.invoke(try invocation("t2", state: InMemoryCommittedState(), isInit: true))))
        #expect(initMessage.type == .init_)
        #expect(handler.inFlight == [TransactionKey(channel: "mychannel", txID: "t1"), TransactionKey(channel: "mychannel", txID: "t2")])
    }

    @Test func stateRequestsAreAnsweredAndCompletedGivesTheResponseAndTheReadWriteSet() throws {
        var state = InMemoryCommittedState()
        state.set(namespace: "basic", key: "asset1", value: bytes("old"), block: 4, transaction: 2)
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: state)))

        let put = try sent(handler.handle(.received(request(.putState, Protos_PutState.with {
            $0.key = "asset1"
            $0.value = bytes("new")
        }, txID: "t1"))))
        #expect(put.type == .response && put.payload.isEmpty)
        let get = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "asset1" }, txID: "t1"))))
        #expect(get.type == .response)
        #expect(get.payload == bytes("old"), "reads never see the transaction's own writes")
        let absent = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "nope" }, txID: "t1"))))
        #expect(absent.type == .response && absent.payload.isEmpty)
        let delete = try sent(handler.handle(.received(request(.delState, Protos_DelState.with { $0.key = "gone" }, txID: "t1"))))
        #expect(delete.type == .response && delete.payload.isEmpty)
        for answer in [put, get, absent, delete] {
            #expect(answer.txid == "t1" && answer.channelID == "mychannel")
        }

        var done = completed("t1", payload: "created")
        done.chaincodeEvent = .with {
            $0.eventName = "Created"
            $0.payload = bytes("asset1")
        }
        let result = try outcome(handler.handle(.received(done)))
        let finished = try result.get()
        #expect(finished.response.status == 200 && finished.response.payload == bytes("created"))
        #expect(finished.events == Protos_ChaincodeEvent.with {
            $0.chaincodeID = "basic"
            $0.txID = "t1"
            $0.eventName = "Created"
            $0.payload = bytes("asset1")
        })
        let set = try finished.readWriteSet.set("basic")
        #expect(set.reads.map(\.key) == ["asset1", "nope"])
        #expect(set.reads[0].version == version(4, 2))
        #expect(set.writes.map(\.key) == ["asset1", "gone"])
        #expect(set.writes.map(\.isDelete) == [false, true])
        #expect(handler.inFlight.isEmpty)
    }

    @Test func aChaincodeErrorResponseStillCompletesWithItsStatus() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let finished = try outcome(handler.handle(.received(completed("t1", status: 500, payload: "")))).get()
        #expect(finished.response.status == 500)
        #expect(finished.events == nil)
    }

    @Test func rangeQueriesArePagedAndCloseIsAnsweredEvenAfterExhaustion() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: committed("basic", ["a", "b", "c", "d", "e"]))))
        let first = try queryResponse(sent(handler.handle(.received(request(.getStateByRange, Protos_GetStateByRange.with {
            $0.startKey = ""
            $0.endKey = ""
        }, txID: "t1")))))
        #expect(first.keys == ["a", "b"] && first.hasMore && !first.id.isEmpty)
        let second = try queryResponse(sent(handler.handle(.received(request(.queryStateNext, Protos_QueryStateNext.with { $0.id = first.id }, txID: "t1")))))
        #expect(second.keys == ["c", "d"] && second.hasMore && second.id == first.id)
        let third = try queryResponse(sent(handler.handle(.received(request(.queryStateNext, Protos_QueryStateNext.with { $0.id = first.id }, txID: "t1")))))
        #expect(third.keys == ["e"] && !third.hasMore)

        let close = try queryResponse(sent(handler.handle(.received(request(.queryStateClose, Protos_QueryStateClose.with { $0.id = first.id }, txID: "t1")))))
        #expect(close.keys.isEmpty && !close.hasMore && close.id == first.id)
        let closeUnknown = try queryResponse(sent(handler.handle(.received(request(.queryStateClose, Protos_QueryStateClose.with { $0.id = "whatever" }, txID: "t1")))))
        #expect(closeUnknown.id == "whatever")
        let nextAfterEnd = try sent(handler.handle(.received(request(.queryStateNext, Protos_QueryStateNext.with { $0.id = first.id }, txID: "t1"))))
        #expect(nextAfterEnd.type == .error && nextAfterEnd.txid == "t1" && nextAfterEnd.channelID == "mychannel")

        let finished = try outcome(handler.handle(.received(completed("t1")))).get()
        let info = try #require(try finished.readWriteSet.set("basic").rangeQueriesInfo.first)
        #expect(info.itrExhausted && info.startKey == "" && info.endKey == "")
        #expect(info.rawReads.kvReads.map(\.key) == ["a", "b", "c", "d", "e"])
    }

    @Test func aRangeQueryClosedEarlyRecordsWhereItStopped() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: committed("basic", ["a", "b", "c"]))))
        let first = try queryResponse(sent(handler.handle(.received(request(.getStateByRange, Protos_GetStateByRange.with {
            $0.startKey = "a"
            $0.endKey = "z"
        }, txID: "t1")))))
        _ = handler.handle(.received(request(.queryStateClose, Protos_QueryStateClose.with { $0.id = first.id }, txID: "t1")))
        let finished = try outcome(handler.handle(.received(completed("t1")))).get()
        let info = try #require(try finished.readWriteSet.set("basic").rangeQueriesInfo.first)
        #expect(!info.itrExhausted && info.startKey == "a" && info.endKey == "b")
    }

    @Test func aPageSizeInQueryMetadataGivesOnePageWithItsBookmark() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: committed("basic", ["a", "b", "c", "d"]))))
        let metadata = try Protos_QueryMetadata.with {
            $0.pageSize = 3
            $0.bookmark = "b"
        }.serializedBytes() as Data
        let page = try queryResponse(sent(handler.handle(.received(request(.getStateByRange, Protos_GetStateByRange.with {
            $0.startKey = "a"
            $0.metadata = metadata
        }, txID: "t1")))))
        #expect(page.keys == ["b", "c", "d"] && !page.hasMore)
        let responseMetadata = try Protos_QueryResponseMetadata(serializedBytes: page.metadata)
        #expect(responseMetadata.fetchedRecordsCount == 3 && responseMetadata.bookmark == "")

        let write = try sent(handler.handle(.received(request(.putState, Protos_PutState.with {
            $0.key = "k"
            $0.value = bytes("v")
        }, txID: "t1"))))
        #expect(write.type == .error)
        #expect(String(decoding: write.payload, as: UTF8.self).contains("read-only"))
    }

    @Test(arguments: [Protos_ChaincodeMessage.TypeEnum.getQueryResult, .getHistoryForKey, .invokeChaincode, .getStateMetadata,
                      .putStateMetadata, .getPrivateDataHash, .purgePrivateData, .getStateMultiple, .writeBatchState,
                      .register, .response, .UNRECOGNIZED(99)])
    func anUnsupportedRequestGetsAnErrorEchoingTxIDAndChannel(type: Protos_ChaincodeMessage.TypeEnum) throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let answer = try sent(handler.handle(.received(.with {
            $0.type = type
            $0.txid = "t1"
            $0.channelID = "mychannel"
        })))
        #expect(answer.type == .error)
        #expect(answer.txid == "t1" && answer.channelID == "mychannel")
        let text = String(decoding: answer.payload, as: UTF8.self)
        #expect(text.contains("not supported"), "\(text)")
        #expect(handler.inFlight.count == 1, "the transaction goes on")
    }

    @Test func privateDataGetsAnError() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let answer = try sent(handler.handle(.received(request(.getState, Protos_GetState.with {
            $0.key = "k"
            $0.collection = "secret"
        }, txID: "t1"))))
        #expect(answer.type == .error)
        #expect(String(decoding: answer.payload, as: UTF8.self).contains("private data"))
    }

    @Test func anUndecodablePayloadGetsAnError() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let answer = try sent(handler.handle(.received(.with {
            $0.type = .getState
            $0.payload = Data([0xFF, 0xFF, 0xFF])
            $0.txid = "t1"
            $0.channelID = "mychannel"
        })))
        #expect(answer.type == .error && answer.txid == "t1" && answer.channelID == "mychannel")
    }

    @Test func aRequestForATransactionNotInFlightGetsAnError() throws {
        var handler = try readyHandler()
        let answer = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "k" }, txID: "ghost", channel: "ch"))))
        #expect(answer.type == .error && answer.txid == "ghost" && answer.channelID == "ch")
    }

    @Test func transactionsInFlightAreKeptApartByChannelAndTxID() throws {
        var one = InMemoryCommittedState()
        one.set(namespace: "basic", key: "k", value: bytes("on ch1"), block: 1, transaction: 0)
        var two = InMemoryCommittedState()
        two.set(namespace: "basic", key: "k", value: bytes("on ch2"), block: 2, transaction: 0)
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("same", channel: "ch1", state: one)))
        _ = handler.handle(.invoke(try invocation("same", channel: "ch2", state: two)))
        let fromTwo = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "k" }, txID: "same", channel: "ch2"))))
        let fromOne = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "k" }, txID: "same", channel: "ch1"))))
        #expect(fromTwo.payload == bytes("on ch2") && fromTwo.channelID == "ch2")
        #expect(fromOne.payload == bytes("on ch1") && fromOne.channelID == "ch1")
        guard case .complete(let key, .success)? = handler.handle(.received(completed("same", channel: "ch2"))).first else {
            throw TestFailure("ch2 did not complete")
        }
        #expect(key.channel == "ch2")
        #expect(handler.inFlight == [TransactionKey(channel: "ch1", txID: "same")])
    }

    @Test func theSameTransactionTwiceIsRefused() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let result = try outcome(handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState()))))
        guard case .failure(.duplicateTransaction) = result else { throw TestFailure("\(result)") }
        #expect(handler.inFlight.count == 1)
    }

    @Test func anErrorFromTheShimFailsTheTransactionEvenWithoutAChannel() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        _ = handler.handle(.invoke(try invocation("t2", state: InMemoryCommittedState())))
        let failed = try outcome(handler.handle(.received(.with {
            $0.type = .error
            $0.payload = bytes("boom")
            $0.txid = "t1"
            $0.channelID = "mychannel"
        })))
        #expect(failed == .failure(.chaincodeFailed(chaincode: "basic", transaction: TransactionKey(channel: "mychannel", txID: "t1"), message: "boom")))
        // Hyperledger's Python shim leaves channel_id out of the ERRORs it makes itself.
        let quirk = try outcome(handler.handle(.received(.with {
            $0.type = .error
            $0.payload = bytes("wrong state")
            $0.txid = "t2"
        })))
        guard case .failure(.chaincodeFailed(_, let key, "wrong state")) = quirk else { throw TestFailure("\(quirk)") }
        #expect(key.txID == "t2")
    }

    @Test func aTimeoutCompletesTheTransactionAndLaterMessagesForItAreRefusedOrIgnored() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let key = TransactionKey(channel: "mychannel", txID: "t1")
        let result = try outcome(handler.handle(.timedOut(key, seconds: 2)))
        #expect(result == .failure(.timedOut(chaincode: "basic", address: "127.0.0.1:9999", transaction: key, seconds: 2)))
        #expect(handler.handle(.timedOut(key, seconds: 2)).isEmpty, "completes once")
        let late = try sent(handler.handle(.received(request(.getState, Protos_GetState.with { $0.key = "k" }, txID: "t1"))))
        #expect(late.type == .error)
        #expect(handler.handle(.received(completed("t1"))).isEmpty)
    }

    @Test func cancellingCompletesTheTransaction() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        let key = TransactionKey(channel: "mychannel", txID: "t1")
        #expect(try outcome(handler.handle(.cancelled(key))) == .failure(.cancelled(chaincode: "basic", transaction: key)))
    }

    @Test func theStreamsEndFailsEveryTransactionInFlightAndLaterCalls() throws {
        var handler = try readyHandler()
        _ = handler.handle(.invoke(try invocation("t1", state: InMemoryCommittedState())))
        _ = handler.handle(.invoke(try invocation("t2", state: InMemoryCommittedState())))
        let effects = handler.handle(.streamClosed(reason: "connection reset"))
        let error = ChaincodeError.streamClosed(chaincode: "basic", address: "127.0.0.1:9999", reason: "connection reset")
        #expect(effects == [.complete(TransactionKey(channel: "mychannel", txID: "t1"), .failure(error)),
                            .complete(TransactionKey(channel: "mychannel", txID: "t2"), .failure(error))])
        #expect(try outcome(handler.handle(.invoke(try invocation("t3", state: InMemoryCommittedState())))) == .failure(error))
        #expect(handler.handle(.received(completed("t1"))).isEmpty)
    }
}
