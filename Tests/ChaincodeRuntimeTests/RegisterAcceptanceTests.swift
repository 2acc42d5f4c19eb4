import ChaincodeRuntime
import FabricWire
import Foundation
import Testing

/// Which chaincode a REGISTER on `protos.ChaincodeSupport/Register` names (pure).
struct RegisterAcceptanceTests {
    static let deployments = [
        RegisterAcceptance.Deployment(channel: "mychannel", name: "basic"),
        RegisterAcceptance.Deployment(channel: "other", name: "basic"),
        RegisterAcceptance.Deployment(channel: "mychannel", name: "custom", chaincodeID: "custom-id"),
        RegisterAcceptance.Deployment(channel: "mychannel", name: "served", address: "127.0.0.1:9999"),
    ]

    func register(_ id: String) -> Protos_ChaincodeMessage {
        .with {
            $0.type = .register
            $0.payload = try! Protos_ChaincodeID.with { $0.name = id }.serializedBytes()
        }
    }

    @Test func aDeployedNameAloneOrWithAVersionIsAcceptedForEveryChannel() {
        for id in ["basic", "basic:1.0"] {
            #expect(RegisterAcceptance.decide(register(id), deployments: Self.deployments)
                    == .accept(name: "basic", chaincodeID: "basic", registeredID: id, channels: ["mychannel", "other"]))
        }
    }

    @Test func aChaincodeDeployedWithAnIDMustRegisterWithExactlyIt() {
        #expect(RegisterAcceptance.decide(register("custom-id"), deployments: Self.deployments)
                == .accept(name: "custom", chaincodeID: "custom-id", registeredID: "custom-id", channels: ["mychannel"]))
        guard case .refuse = RegisterAcceptance.decide(register("custom:1.0"), deployments: Self.deployments) else {
            Issue.record("custom:1.0 was accepted though custom is deployed with --id custom-id")
            return
        }
    }

    @Test func aNameNotDefinedOnAnyChannelIsRefusedSayingWhatToRun() {
        guard case .refuse(let text) = RegisterAcceptance.decide(register("wrong:1.0"), deployments: Self.deployments) else {
            Issue.record("an undefined chaincode was accepted")
            return
        }
        #expect(text.contains("chaincode 'wrong:1.0' is not defined on any channel of this peer"), "\(text)")
        #expect(text.contains("basic on mychannel"), "names the chaincodes that may dial in: \(text)")
        #expect(text.contains("fabnet chaincode deploy wrong -c CHANNEL"), "\(text)")
    }

    @Test func aChaincodeThePeerDialsIsRefusedNamingItsAddress() {
        guard case .refuse(let text) = RegisterAcceptance.decide(register("served"), deployments: Self.deployments) else {
            Issue.record("a dialed chaincode was accepted as dialing in")
            return
        }
        #expect(text.contains("127.0.0.1:9999") && text.contains("without --address"), "\(text)")
    }

    @Test func aStreamThatDoesNotBeginWithRegisterIsRefused() {
        let message = Protos_ChaincodeMessage.with { $0.type = .getState }
        guard case .refuse(let text) = RegisterAcceptance.decide(message, deployments: Self.deployments) else {
            Issue.record("a GET_STATE opened a registration")
            return
        }
        #expect(text.contains("must be REGISTER, not GET_STATE"), "\(text)")
        var garbage = register("basic")
        garbage.payload = Data([0xFF, 0xFF])
        #expect(RegisterAcceptance.decide(garbage, deployments: Self.deployments)
                == .refuse("the REGISTER payload is not a ChaincodeID; check the chaincode's shim version"))
        #expect(RegisterAcceptance.error("why").type == .error)
        #expect(RegisterAcceptance.error("why").payload == Data("why".utf8))
    }
}
