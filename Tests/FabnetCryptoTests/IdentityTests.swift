import Crypto
import FabnetConfig
import FabnetCrypto
import FabnetModel
import FabnetWire
import Foundation
import Testing

/// MSP loading, signing (low S), verification and identity validation against org roots.
@Suite struct IdentityTests {
    let scratch: ScratchDirectory
    let spec: NetworkSpec
    let layout: CryptoLayout

    init() throws {
        scratch = try ScratchDirectory("identity")
        spec = try Networks.defaultSpec()
        layout = CryptoLayout(root: scratch.url)
        _ = try CryptoMaterialGenerator(output: scratch.url).generate(spec)
    }

    var org1: OrganizationSpec { spec.organizations[1] }
    var org2: OrganizationSpec { spec.organizations[2] }

    func peerMSP(_ org: OrganizationSpec, _ index: Int = 0) throws -> LocalMSP {
        try LocalMSP.load(directory: layout.nodeDirectory(org.peers[index], in: org).appendingPathComponent("msp"), mspID: org.mspID)
    }

    func userMSP(_ org: OrganizationSpec, _ index: Int) throws -> LocalMSP {
        try LocalMSP.load(directory: layout.userDirectory(org.users[index], in: org).appendingPathComponent("msp"), mspID: org.mspID)
    }

    func validator() throws -> MembershipValidator {
        MembershipValidator(organizations: try spec.organizations.map {
            try LocalMSP.load(directory: layout.organizationMSPDirectory($0), mspID: $0.mspID).organizationRoots()
        })
    }

    /// A signed request of fabnet's own (an admin's world-state query).
    func sample() -> WireAdminRequest {
        var request = WireAdminRequest()
        request.queryState.channel = "mychannel"
        request.queryState.key = "k"
        return request
    }

    func sealed(by identity: SigningIdentity) throws -> WireEnvelope {
        var transaction = sample()
        transaction.creator = identity.serialized
        return try EnvelopeSealing.seal(transaction, by: identity)
    }

    @Test func signedEnvelopeOpensAsVerifiedWithRoleAndPKIID() async throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        let verified = try await EnvelopeSealing.open(try sealed(by: identity), as: WireAdminRequest.self, creator: \.creator,
                                                      validator: try validator())
        #expect(verified.value.queryState.key == "k")
        #expect(verified.signer.mspID == "Org1MSP")
        #expect(verified.signer.role == .peer)
        #expect(verified.signer.pkiID == identity.pkiID)
    }

    @Test func pkiIDIsSHA256OfMSPIDAndCertificate() throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        let expected = Array(SHA256.hash(data: Data("Org1MSP".utf8) + Data(identity.certificatePEM.utf8)))
        #expect(identity.pkiID.bytes == expected)
    }

    @Test func rolesComeFromNodeOUs() async throws {
        defer { scratch.remove() }
        let validator = try validator()
        let admin = try #require(try userMSP(org2, 0).signingIdentity)
        let client = try #require(try userMSP(org2, 1).signingIdentity)
        let ordererOrg = spec.organizations[0]
        let orderer = try #require(try LocalMSP.load(
            directory: layout.nodeDirectory(ordererOrg.orderers[0], in: ordererOrg).appendingPathComponent("msp"), mspID: "OrdererMSP").signingIdentity)
        #expect(try await validator.validate(admin.serialized).signer.role == .admin)
        #expect(try await validator.validate(client.serialized).signer.role == .client)
        #expect(try await validator.validate(orderer.serialized).signer.role == .orderer)
    }

    @Test func tamperedPayloadIsRefused() async throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        var envelope = try sealed(by: identity)
        // Still a valid request (field 4, an empty ListChannels, appended), but not what was signed.
        envelope.payload.append(contentsOf: [0x22, 0x00])
        await #expect(throws: IdentityError.badSignature(mspID: "Org1MSP", subject: identity.certificate.subject.description)) {
            _ = try await EnvelopeSealing.open(envelope, as: WireAdminRequest.self, creator: \.creator, validator: try validator())
        }
    }

    @Test func highSIsRefused() async throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        var envelope = try sealed(by: identity)
        let signature = try P256.Signing.ECDSASignature(derRepresentation: envelope.signature)
        let raw = [UInt8](signature.rawRepresentation)
        envelope.signature = try P256.Signing.ECDSASignature(rawRepresentation: raw[..<32] + Self.negate(Array(raw[32...]))).derRepresentation
        await #expect(throws: IdentityError.highS) {
            _ = try await EnvelopeSealing.open(envelope, as: WireAdminRequest.self, creator: \.creator, validator: try validator())
        }
    }

    @Test func signaturesAreAlwaysLowS() throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        let half = Self.halfOrder
        for index in 0..<200 {
            let signature = try P256.Signing.ECDSASignature(derRepresentation: identity.sign(Data("message \(index)".utf8)))
            let s = Array([UInt8](signature.rawRepresentation)[32...])
            #expect(s == half || s.lexicographicallyPrecedes(half))
        }
    }

    @Test func certificateFromAnotherOrgUnderMyMSPIDIsRefused() async throws {
        defer { scratch.remove() }
        let impostor = try #require(try peerMSP(org2).signingIdentity)
        var claimed = impostor.serialized
        claimed.mspID = "Org1MSP"
        await #expect(throws: IdentityError.self) { _ = try await validator().validate(claimed) }
        do {
            _ = try await validator().validate(claimed)
        } catch let error as IdentityError {
            guard case .untrustedCertificate(let mspID, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(mspID == "Org1MSP")
        }
    }

    @Test func unknownOrganizationIsRefused() async throws {
        defer { scratch.remove() }
        var identity = try #require(try peerMSP(org1).signingIdentity).serialized
        identity.mspID = "Org9MSP"
        await #expect(throws: IdentityError.unknownOrganization(mspID: "Org9MSP", known: ["OrdererMSP", "Org1MSP", "Org2MSP"])) {
            _ = try await validator().validate(identity)
        }
    }

    @Test func expiredCertificateIsRefused() async throws {
        defer { scratch.remove() }
        let identity = try #require(try peerMSP(org1).signingIdentity)
        let elevenYears = Date().addingTimeInterval(11 * 365 * 86_400)
        await #expect(throws: IdentityError.self) { _ = try await validator().validate(identity.serialized, at: elevenYears) }
    }

    @Test func certificateWithoutARoleOUIsRefusedWhenNodeOUsAreOn() async throws {
        defer { scratch.remove() }
        let caDirectory = layout.caDirectory(org1)
        let ca = CertificateAuthority(
            key: try PrivateKey(pem: String(contentsOf: caDirectory.appendingPathComponent("priv_sk"), encoding: .utf8)),
            certificate: try Certificate(pem: String(contentsOf: caDirectory.appendingPathComponent(layout.caCertificateName(org1)), encoding: .utf8)))
        let key = try PrivateKey.generateP256()
        let certificate = try ca.issue(CertificateProfile(kind: .enrollment, commonName: "nobody.org1.example.com"), for: key)
        var identity = WireSerializedIdentity()
        identity.mspID = "Org1MSP"
        identity.idBytes = Data(try certificate.pem().utf8)
        await #expect(throws: IdentityError.self) { _ = try await validator().validate(identity) }
    }

    @Test func keyOfAnotherIdentityIsRefused() throws {
        defer { scratch.remove() }
        let directory = layout.nodeDirectory(org1.peers[0], in: org1).appendingPathComponent("msp")
        let certificate = try String(contentsOf: directory.appendingPathComponent("signcerts/peer0.org1.example.com-cert.pem"), encoding: .utf8)
        let otherKey = try String(contentsOf: layout.nodeDirectory(org1.peers[1], in: org1).appendingPathComponent("msp/keystore/priv_sk"), encoding: .utf8)
        #expect(throws: IdentityError.self) { _ = try SigningIdentity(mspID: "Org1MSP", certificatePEM: certificate, privateKeyPEM: otherKey) }
    }

    // n and n/2 of P-256, computed here independently of the code under test.
    static let order: [UInt8] = Array(hex: "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
    static let halfOrder: [UInt8] = Array(hex: "7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8")

    static func negate(_ s: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for index in (0..<32).reversed() {
            let difference = Int(order[index]) - Int(s[index]) - borrow
            borrow = difference < 0 ? 1 : 0
            result[index] = UInt8((difference + 256) % 256)
        }
        return result
    }
}

extension Array where Element == UInt8 {
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        self = bytes
    }
}
