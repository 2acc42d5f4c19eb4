#!/usr/bin/env python3
"""Writes the byte vectors FabricWireTests decode: messages built with Hyperledger's own protos.

Each vector is a message made with the official `hyperledger-fabric-protos` package (PyPI),
serialised deterministically (map keys sorted), with the field values the Swift test expects
after decoding. Everything is fixed (no clock, no randomness), so running the script again gives
the same file; `make fabric-check` checks that it does. Usage: `make fabric-vectors`, or from the
repository root, with the venv of `make fabric-venv`:

    .venv-fabric/bin/python Tests/fabric/make_vectors.py > Tests/FabricWireTests/Fixtures/fabric-vectors.json
"""

import hashlib
import json
import os
import subprocess
import tempfile

from fabric_protos.common import common_pb2, configtx_pb2, configuration_pb2, policies_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import identities_pb2, msp_config_pb2
from fabric_protos.orderer import ab_pb2, configuration_pb2 as orderer_configuration_pb2
from fabric_protos.peer import (
    chaincode_pb2,
    chaincode_shim_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

CERT = b"-----BEGIN CERTIFICATE-----\nMIIB fabnet test vector\n-----END CERTIFICATE-----\n"
NONCE = bytes(range(24))
TIMESTAMP = 1_800_000_000


def raw(message):
    return message.SerializeToString(deterministic=True)


def creator():
    return raw(identities_pb2.SerializedIdentity(mspid="Org1MSP", id_bytes=CERT))


def endorser_envelope():
    """An endorser transaction as the gateway prepares it and the client signs it."""
    tx_id = hashlib.sha256(NONCE + creator()).hexdigest()
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION,
        channel_id="mychannel",
        tx_id=tx_id,
        epoch=0,
        extension=raw(proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_pb2.ChaincodeID(name="basic"))),
    )
    channel_header.timestamp.seconds = TIMESTAMP
    channel_header.timestamp.nanos = 123_000_000
    signature_header = raw(common_pb2.SignatureHeader(creator=creator(), nonce=NONCE))
    kv = kv_rwset_pb2.KVRWSet(
        reads=[kv_rwset_pb2.KVRead(key="asset1", version=kv_rwset_pb2.Version(block_num=4, tx_num=2))],
        writes=[
            kv_rwset_pb2.KVWrite(key="asset1", value=b'{"owner":"Tom"}'),
            kv_rwset_pb2.KVWrite(key="asset9", is_delete=True),
        ],
    )
    results = rwset_pb2.TxReadWriteSet(
        data_model=rwset_pb2.TxReadWriteSet.KV,
        ns_rwset=[rwset_pb2.NsReadWriteSet(namespace="basic", rwset=raw(kv))],
    )
    action = proposal_pb2.ChaincodeAction(
        results=raw(results),
        response=proposal_response_pb2.Response(status=200, payload=b"ok"),
        chaincode_id=chaincode_pb2.ChaincodeID(name="basic", version="1.0"),
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=hashlib.sha256(b"proposal").digest(), extension=raw(action)
    )
    invocation = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            type=chaincode_pb2.ChaincodeSpec.GOLANG,
            chaincode_id=chaincode_pb2.ChaincodeID(name="basic"),
            input=chaincode_pb2.ChaincodeInput(args=[b"TransferAsset", b"asset1", b"Tom"]),
        )
    )
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=raw(proposal_pb2.ChaincodeProposalPayload(input=raw(invocation))),
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=raw(response_payload),
            endorsements=[
                proposal_response_pb2.Endorsement(endorser=creator(), signature=b"\x30\x44endorser-1"),
                proposal_response_pb2.Endorsement(endorser=creator(), signature=b"\x30\x44endorser-2"),
            ],
        ),
    )
    transaction = transaction_pb2.Transaction(
        actions=[transaction_pb2.TransactionAction(header=signature_header, payload=raw(action_payload))]
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=raw(channel_header), signature_header=signature_header),
        data=raw(transaction),
    )
    envelope = common_pb2.Envelope(payload=raw(payload), signature=b"\x30\x45creator-signature")
    expected = {
        "txId": tx_id,
        "channelId": "mychannel",
        "headerType": common_pb2.ENDORSER_TRANSACTION,
        "timestampSeconds": TIMESTAMP,
        "timestampNanos": 123_000_000,
        "creatorMspId": "Org1MSP",
        "nonceHex": NONCE.hex(),
        "chaincodeName": "basic",
        "args": ["TransferAsset", "asset1", "Tom"],
        "endorsements": 2,
        "namespace": "basic",
        "readKey": "asset1",
        "readVersion": [4, 2],
        "writes": [["asset1", False, '{"owner":"Tom"}'], ["asset9", True, ""]],
        "responseStatus": 200,
    }
    return envelope, expected


def block(envelope):
    """Block 1 holding the envelope, with orderer-signed metadata and a peer's flags."""
    data = [raw(envelope)]
    value = raw(common_pb2.OrdererBlockMetadata(
        last_config=common_pb2.LastConfig(index=0), consenter_metadata=b"cut:1800000000"))
    signatures = common_pb2.Metadata(
        value=value,
        signatures=[common_pb2.MetadataSignature(
            signature_header=raw(common_pb2.SignatureHeader(creator=creator(), nonce=NONCE)),
            signature=b"\x30\x45orderer-signature",
        )],
    )
    flags = bytes([transaction_pb2.VALID])
    result = common_pb2.Block(
        header=common_pb2.BlockHeader(
            number=1,
            previous_hash=hashlib.sha256(b"block 0 header").digest(),
            data_hash=hashlib.sha256(b"".join(data)).digest(),
        ),
        data=common_pb2.BlockData(data=data),
        metadata=common_pb2.BlockMetadata(metadata=[raw(signatures), b"", flags, b"", b""]),
    )
    expected = {
        "number": 1,
        "previousHashHex": result.header.previous_hash.hex(),
        "dataHashHex": result.header.data_hash.hex(),
        "transactions": 1,
        "metadataEntries": 5,
        "consenterMetadata": "cut:1800000000",
        "signatures": 1,
        "flagsHex": flags.hex(),
    }
    return result, expected


def config_envelope():
    """The data of a genesis block's CONFIG payload: maps, nested config values, policies."""
    msp = msp_config_pb2.FabricMSPConfig(
        name="Org1MSP",
        root_certs=[CERT],
        tls_root_certs=[CERT],
        crypto_config=msp_config_pb2.FabricCryptoConfig(
            signature_hash_family="SHA2", identity_identifier_hash_function="SHA256"),
        fabric_node_ous=msp_config_pb2.FabricNodeOUs(
            enable=True,
            peer_ou_identifier=msp_config_pb2.FabricOUIdentifier(certificate=CERT, organizational_unit_identifier="peer"),
        ),
    )
    org = configtx_pb2.ConfigGroup(mod_policy="Admins")
    org.values["MSP"].value = raw(msp_config_pb2.MSPConfig(type=0, config=raw(msp)))
    org.values["MSP"].mod_policy = "Admins"
    application = configtx_pb2.ConfigGroup(mod_policy="Admins")
    application.groups["Org1MSP"].CopyFrom(org)
    for name, rule in (("Readers", policies_pb2.ImplicitMetaPolicy.ANY),
                       ("Endorsement", policies_pb2.ImplicitMetaPolicy.MAJORITY)):
        application.policies[name].policy.type = policies_pb2.Policy.IMPLICIT_META
        application.policies[name].policy.value = raw(policies_pb2.ImplicitMetaPolicy(sub_policy=name, rule=rule))
        application.policies[name].mod_policy = "Admins"
    orderer = configtx_pb2.ConfigGroup(mod_policy="Admins")
    orderer.values["BatchSize"].value = raw(orderer_configuration_pb2.BatchSize(
        max_message_count=10, absolute_max_bytes=99 * 1024 * 1024, preferred_max_bytes=512 * 1024))
    orderer.values["BatchTimeout"].value = raw(orderer_configuration_pb2.BatchTimeout(timeout="2s"))
    channel = configtx_pb2.ConfigGroup(mod_policy="Admins")
    channel.groups["Application"].CopyFrom(application)
    channel.groups["Orderer"].CopyFrom(orderer)
    channel.values["HashingAlgorithm"].value = raw(configuration_pb2.HashingAlgorithm(name="SHA256"))
    capabilities = configuration_pb2.Capabilities()
    capabilities.capabilities["V2_0"].SetInParent()
    channel.values["Capabilities"].value = raw(capabilities)
    envelope = configtx_pb2.ConfigEnvelope(config=configtx_pb2.Config(sequence=0, channel_group=channel))
    expected = {
        "groups": ["Application", "Orderer"],
        "values": ["Capabilities", "HashingAlgorithm"],
        "orgs": ["Org1MSP"],
        "mspName": "Org1MSP",
        "nodeOUsEnabled": True,
        "endorsementRule": policies_pb2.ImplicitMetaPolicy.MAJORITY,
        "maxMessageCount": 10,
        "batchTimeout": "2s",
        "capabilities": ["V2_0"],
    }
    return envelope, expected


def seek_info():
    """A Deliver request's SeekInfo: from block 5 to the newest, failing if not ready."""
    info = ab_pb2.SeekInfo(
        start=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=5)),
        stop=ab_pb2.SeekPosition(newest=ab_pb2.SeekNewest()),
        behavior=ab_pb2.SeekInfo.FAIL_IF_NOT_READY,
    )
    return info, {"startNumber": 5, "stopIsNewest": True, "behavior": ab_pb2.SeekInfo.FAIL_IF_NOT_READY}


def shim_message():
    """A shim's GET_STATE_BY_RANGE on the chaincode stream."""
    query = chaincode_shim_pb2.GetStateByRange(
        startKey="asset1", endKey="", metadata=raw(chaincode_shim_pb2.QueryMetadata(pageSize=50)))
    message = chaincode_shim_pb2.ChaincodeMessage(
        type=chaincode_shim_pb2.ChaincodeMessage.GET_STATE_BY_RANGE,
        payload=raw(query), txid="tx-7", channel_id="mychannel")
    expected = {"type": chaincode_shim_pb2.ChaincodeMessage.GET_STATE_BY_RANGE, "txid": "tx-7",
                "channelId": "mychannel", "startKey": "asset1", "pageSize": 50}
    return message, expected


def commit_status_request():
    """A gateway CommitStatus request, signed by the client."""
    request = gateway_pb2.CommitStatusRequest(transaction_id="tx-7", channel_id="mychannel", identity=creator())
    signed = gateway_pb2.SignedCommitStatusRequest(request=raw(request), signature=b"\x30\x44client")
    return signed, {"transactionId": "tx-7", "channelId": "mychannel", "creatorMspId": "Org1MSP"}


def signed_proposal():
    """A client's signed proposal with a transient map: what an endorser unpacks. The expected
    proposal hash leaves the transient map out, as Fabric's endorser does."""
    nonce = bytes(range(100, 124))
    txid = hashlib.sha256(nonce + creator()).hexdigest()
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION, channel_id="mychannel", tx_id=txid, epoch=0,
        extension=raw(proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_pb2.ChaincodeID(name="basic"))))
    channel_header.timestamp.seconds = TIMESTAMP
    header = common_pb2.Header(channel_header=raw(channel_header),
                               signature_header=raw(common_pb2.SignatureHeader(creator=creator(), nonce=nonce)))
    invocation = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=chaincode_pb2.ChaincodeSpec(
        type=chaincode_pb2.ChaincodeSpec.GOLANG, chaincode_id=chaincode_pb2.ChaincodeID(name="basic"),
        input=chaincode_pb2.ChaincodeInput(args=[b"ReadAsset", b"asset1"])))
    with_transient = proposal_pb2.ChaincodeProposalPayload(input=raw(invocation))
    with_transient.TransientMap["secret"] = b"not in the transaction"
    without_transient = proposal_pb2.ChaincodeProposalPayload(input=raw(invocation))
    proposal = proposal_pb2.Proposal(header=raw(header), payload=raw(with_transient))
    signed = proposal_pb2.SignedProposal(proposal_bytes=raw(proposal), signature=b"\x30\x44client")
    expected = {
        "txId": txid,
        "chaincodeName": "basic",
        "args": ["ReadAsset", "asset1"],
        "proposalHashHex": hashlib.sha256(header.channel_header + header.signature_header + raw(without_transient)).hexdigest(),
        "payloadWithoutTransientHex": raw(without_transient).hex(),
    }
    return signed, expected


def der_with_openssl(number, previous_hash, data_hash):
    """Fabric's BlockHeaderBytes (ASN.1 DER SEQUENCE of INTEGER, OCTET STRING, OCTET STRING), as
    OpenSSL's DER encoder writes it: an encoder that is neither ours nor Fabric's."""
    # An empty hex string is refused by OpenSSL; an empty plain string encodes the same.
    previous = f"FORMAT:HEX,OCTETSTRING:{previous_hash.hex()}" if previous_hash else "OCTETSTRING:"
    config = (
        "asn1=SEQUENCE:header\n[header]\n"
        f"number=INTEGER:{number}\n"
        f"previous={previous}\n"
        f"data=FORMAT:HEX,OCTETSTRING:{data_hash.hex()}\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        conf = os.path.join(folder, "header.cnf")
        out = os.path.join(folder, "header.der")
        with open(conf, "w") as handle:
            handle.write(config)
        subprocess.run(["openssl", "asn1parse", "-genconf", conf, "-out", out, "-noout"], check=True)
        with open(out, "rb") as handle:
            return handle.read()


def block_header(number, previous_hash):
    """A header whose DER and hash the Swift rules must reproduce (numbers chosen to hit DER's
    zero, high-bit and multi-byte integer cases, and an empty previous hash as block 0 has)."""
    data_hash = hashlib.sha256(b"entries of block %d" % number).digest()
    header = common_pb2.BlockHeader(number=number, previous_hash=previous_hash, data_hash=data_hash)
    der = der_with_openssl(number, previous_hash, data_hash)
    return header, {"derHex": der.hex(), "hashHex": hashlib.sha256(der).hexdigest()}


def main():
    envelope, envelope_expected = endorser_envelope()
    the_block, block_expected = block(envelope)
    vectors = {
        "envelope": ("common.Envelope", envelope, envelope_expected),
        "block": ("common.Block", the_block, block_expected),
        "configEnvelope": ("common.ConfigEnvelope", *config_envelope()),
        "seekInfo": ("orderer.SeekInfo", *seek_info()),
        "chaincodeMessage": ("protos.ChaincodeMessage", *shim_message()),
        "signedCommitStatusRequest": ("gateway.SignedCommitStatusRequest", *commit_status_request()),
        "signedProposal": ("protos.SignedProposal", *signed_proposal()),
        "headerZero": ("common.BlockHeader", *block_header(0, b"")),
        "headerHighBit": ("common.BlockHeader", *block_header(200, hashlib.sha256(b"block 199").digest())),
        "headerLarge": ("common.BlockHeader", *block_header(0x8000_0000_0001, hashlib.sha256(b"big").digest())),
    }
    document = {
        "generator": "Tests/fabric/make_vectors.py with hyperledger-fabric-protos (see requirements.txt)",
        "vectors": {
            name: {"message": kind, "hex": raw(message).hex(), "expected": expected}
            for name, (kind, message, expected) in vectors.items()
        },
    }
    print(json.dumps(document, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
