import GRPCCore
import Testing
import FabricWire

/// The generated gRPC stubs call and serve Fabric's paths (`/orderer.AtomicBroadcast/Deliver`…)
/// with Fabric's streaming shapes: a client written for Fabric reaches the right handler.
@Suite struct ServicePathTests {
    /// What a method must look like: its path and whether each side streams.
    struct Expected: CustomTestStringConvertible {
        let descriptor: MethodDescriptor
        let path: String
        let streamsRequests: Bool
        let streamsResponses: Bool
        var testDescription: String { path }
    }

    static let methods: [Expected] = [
        Expected(descriptor: Orderer_AtomicBroadcast.Method.Broadcast.descriptor,
                 path: "orderer.AtomicBroadcast/Broadcast", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Orderer_AtomicBroadcast.Method.Deliver.descriptor,
                 path: "orderer.AtomicBroadcast/Deliver", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Protos_Deliver.Method.Deliver.descriptor,
                 path: "protos.Deliver/Deliver", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Protos_Deliver.Method.DeliverFiltered.descriptor,
                 path: "protos.Deliver/DeliverFiltered", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Protos_Chaincode.Method.Connect.descriptor,
                 path: "protos.Chaincode/Connect", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Protos_ChaincodeSupport.Method.Register.descriptor,
                 path: "protos.ChaincodeSupport/Register", streamsRequests: true, streamsResponses: true),
        Expected(descriptor: Protos_Endorser.Method.ProcessProposal.descriptor,
                 path: "protos.Endorser/ProcessProposal", streamsRequests: false, streamsResponses: false),
        Expected(descriptor: Gateway_Gateway.Method.Endorse.descriptor,
                 path: "gateway.Gateway/Endorse", streamsRequests: false, streamsResponses: false),
        Expected(descriptor: Gateway_Gateway.Method.Submit.descriptor,
                 path: "gateway.Gateway/Submit", streamsRequests: false, streamsResponses: false),
        Expected(descriptor: Gateway_Gateway.Method.CommitStatus.descriptor,
                 path: "gateway.Gateway/CommitStatus", streamsRequests: false, streamsResponses: false),
        Expected(descriptor: Gateway_Gateway.Method.Evaluate.descriptor,
                 path: "gateway.Gateway/Evaluate", streamsRequests: false, streamsResponses: false),
        Expected(descriptor: Gateway_Gateway.Method.ChaincodeEvents.descriptor,
                 path: "gateway.Gateway/ChaincodeEvents", streamsRequests: false, streamsResponses: true),
    ]

    @Test(arguments: methods)
    func methodHasFabricsPathAndShape(_ expected: Expected) {
        #expect(expected.descriptor.fullyQualifiedMethod == expected.path)
        #expect(expected.descriptor.type?.isRequestStreaming == expected.streamsRequests)
        #expect(expected.descriptor.type?.isResponseStreaming == expected.streamsResponses)
    }

    @Test func everyGeneratedMethodIsListed() {
        let generated = Orderer_AtomicBroadcast.Method.descriptors + Protos_Deliver.Method.descriptors
            + Protos_Chaincode.Method.descriptors + Protos_ChaincodeSupport.Method.descriptors
            + Protos_Endorser.Method.descriptors + Gateway_Gateway.Method.descriptors
        #expect(Set(generated.map(\.fullyQualifiedMethod)) == Set(Self.methods.map(\.path)))
    }

    @Test func stubsCarryFabricsMessageTypes() {
        #expect(Orderer_AtomicBroadcast.Method.Deliver.Input.self == Common_Envelope.self)
        #expect(Orderer_AtomicBroadcast.Method.Deliver.Output.self == Orderer_DeliverResponse.self)
        #expect(Protos_Deliver.Method.Deliver.Output.self == Protos_DeliverResponse.self)
        #expect(Protos_Chaincode.Method.Connect.Input.self == Protos_ChaincodeMessage.self)
        #expect(Gateway_Gateway.Method.CommitStatus.Input.self == Gateway_SignedCommitStatusRequest.self)
    }
}
