#!/usr/bin/env python3
"""Checks a running fabnet network with Hyperledger's own code: the official protos and gRPC stubs
(`hyperledger-fabric-protos` from PyPI) over `grpcio`, the way a Fabric SDK talks to Fabric.

Usage: network_suite.py STATE_DIR   (the state folder of `fabnet up`, whose network.json names
each node's gRPC port). It drives the orderer's AtomicBroadcast (Broadcast, Deliver) and each
peer's Deliver over TLS, checks blocks with Fabric's rules (ASN.1 header hash chain, data hash,
the orderer's metadata signatures), block 0 as a configuration, refusals with Fabric's statuses,
and the peers' validation flags. Run after `eval "$(fabnet env Org1 --state STATE_DIR)"`, it also
checks that those exports and the connection profile they name reach the network. Signatures are
made and checked with the `openssl` command, so the suite needs nothing beyond the pinned Python
set. Ends with "N passed, M failed"; exit 1 if any failed.
"""

import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

import grpc
from fabric_protos.common import common_pb2, configtx_pb2, policies_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.msp import identities_pb2, msp_config_pb2
from fabric_protos.orderer import ab_pb2, ab_pb2_grpc
from fabric_protos.peer import (
    chaincode_pb2,
    events_pb2_grpc,
    peer_pb2_grpc,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

CHANNEL = "mychannel"
# The order of the P-256 group: signatures with s above half of it are refused by Fabric.
CURVE_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


# ---------------------------------------------------------------- crypto with the openssl command

def der_length(length):
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def der(tag, content):
    return bytes([tag]) + der_length(len(content)) + content


def der_integer(value):
    body = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    return der(0x02, body)


def parse_signature(signature):
    """(r, s) of a DER ECDSA signature."""
    assert signature[0] == 0x30
    index = 2 if signature[1] < 0x80 else 2 + (signature[1] & 0x7F)
    values = []
    for _ in range(2):
        assert signature[index] == 0x02
        length = signature[index + 1]
        values.append(int.from_bytes(signature[index + 2:index + 2 + length], "big"))
        index += 2 + length
    return values


def sign(key_file, data):
    """A DER ECDSA P-256 signature over SHA-256(data), low S as Fabric requires."""
    with tempfile.NamedTemporaryFile() as message:
        message.write(data)
        message.flush()
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file, message.name],
                                   check=True, capture_output=True).stdout
    r, s = parse_signature(signature)
    if s > CURVE_ORDER // 2:
        s = CURVE_ORDER - s
    return der(0x30, der_integer(r) + der_integer(s))


def verify(certificate_pem, data, signature):
    """Whether `signature` over SHA-256(data) verifies with the certificate's key."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: os.path.join(folder, name) for name in ("cert", "key", "data", "sig")}
        for name, content in (("cert", certificate_pem), ("data", data), ("sig", signature)):
            with open(paths[name], "wb") as handle:
                handle.write(content)
        key = subprocess.run(["openssl", "x509", "-in", paths["cert"], "-pubkey", "-noout"], check=True, capture_output=True).stdout
        with open(paths["key"], "wb") as handle:
            handle.write(key)
        result = subprocess.run(["openssl", "dgst", "-sha256", "-verify", paths["key"], "-signature", paths["sig"], paths["data"]],
                                capture_output=True)
        return result.returncode == 0


def certificate_der(pem):
    return subprocess.run(["openssl", "x509", "-outform", "DER"], input=pem, check=True, capture_output=True).stdout


# ---------------------------------------------------------------- Fabric's rules, written from the spec

def header_bytes(header):
    """Fabric's BlockHeaderBytes: DER SEQUENCE { INTEGER number, OCTET STRING previous, OCTET STRING data }."""
    return der(0x30, der_integer(header.number) + der(0x04, header.previous_hash) + der(0x04, header.data_hash))


def header_hash(header):
    return hashlib.sha256(header_bytes(header)).digest()


def tx_id(nonce, creator):
    return hashlib.sha256(nonce + creator).hexdigest()


# ---------------------------------------------------------------- the network under test

class Network:
    def __init__(self, state):
        with open(os.path.join(state, "network.json")) as handle:
            self.manifest = json.load(handle)
        self.crypto = self.manifest["cryptoDirectory"]
        self.nodes = self.manifest["nodes"]
        self.orderer = next(node for node in self.nodes if node["role"] == "orderer")
        self.peers = [node for node in self.nodes if node["role"] == "peer"]

    def org_folder(self, msp_id):
        domain = {"OrdererMSP": "ordererOrganizations/example.com"}.get(msp_id)
        if domain:
            return os.path.join(self.crypto, domain)
        number = msp_id.replace("Org", "").replace("MSP", "")
        return os.path.join(self.crypto, f"peerOrganizations/org{number}.example.com")

    def tls_root(self, msp_id):
        return read(glob.glob(os.path.join(self.org_folder(msp_id), "tlsca", "*.pem"))[0])

    def user(self, msp_id, name):
        """(serialized identity, key file, certificate PEM) of `name`@domain's enrollment."""
        folder = glob.glob(os.path.join(self.org_folder(msp_id), "users", f"{name}@*", "msp"))[0]
        certificate = read(glob.glob(os.path.join(folder, "signcerts", "*.pem"))[0])
        key = sorted(glob.glob(os.path.join(folder, "keystore", "*")))[0]
        identity = identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=certificate).SerializeToString()
        return identity, key, certificate

    def tls_user(self, msp_id, name):
        folder = glob.glob(os.path.join(self.org_folder(msp_id), "users", f"{name}@*", "tls"))[0]
        return read(os.path.join(folder, "client.key")), read(os.path.join(folder, "client.crt"))

    def channel(self, node, client=None):
        roots = self.tls_root(node["mspID"])
        credentials = grpc.ssl_channel_credentials(roots, *(client or (None, None)))
        options = [("grpc.ssl_target_name_override", node["host"])]
        return grpc.secure_channel(f"127.0.0.1:{node['grpcPort']}", credentials, options)


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def envelope_of(payload, key):
    data = payload.SerializeToString()
    return common_pb2.Envelope(payload=data, signature=sign(key, data))


def signed_header(kind, identity, channel=CHANNEL, extension=b"", tls_hash=b"", nonce=None):
    nonce = nonce if nonce is not None else os.urandom(24)
    channel_header = common_pb2.ChannelHeader(type=kind, channel_id=channel, tx_id=tx_id(nonce, identity), epoch=0,
                                              extension=extension, tls_cert_hash=tls_hash)
    channel_header.timestamp.GetCurrentTime()
    signature_header = common_pb2.SignatureHeader(creator=identity, nonce=nonce)
    return common_pb2.Header(channel_header=channel_header.SerializeToString(),
                             signature_header=signature_header.SerializeToString()), channel_header.tx_id


def endorser_transaction(identity, key, writes, channel=CHANNEL):
    """An unendorsed endorser transaction writing `writes` in namespace `fabnet`, as fabnet's `tx put` makes one."""
    extension = proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_pb2.ChaincodeID(name="fabnet")).SerializeToString()
    header, txid = signed_header(common_pb2.ENDORSER_TRANSACTION, identity, channel, extension)
    kv = kv_rwset_pb2.KVRWSet(writes=[kv_rwset_pb2.KVWrite(key=k, value=v) for k, v in sorted(writes.items())])
    results = rwset_pb2.TxReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV,
                                       ns_rwset=[rwset_pb2.NsReadWriteSet(namespace="fabnet", rwset=kv.SerializeToString())])
    action = proposal_pb2.ChaincodeAction(results=results.SerializeToString(),
                                          response=proposal_response_pb2.Response(status=200),
                                          chaincode_id=chaincode_pb2.ChaincodeID(name="fabnet"))
    invocation = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=chaincode_pb2.ChaincodeSpec(
        type=chaincode_pb2.ChaincodeSpec.GOLANG, chaincode_id=chaincode_pb2.ChaincodeID(name="fabnet"),
        input=chaincode_pb2.ChaincodeInput(args=[b"put"])))
    proposal_payload = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString()).SerializeToString()
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=hashlib.sha256(header.channel_header + header.signature_header + proposal_payload).digest(),
        extension=action.SerializeToString())
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal_payload,
        action=transaction_pb2.ChaincodeEndorsedAction(proposal_response_payload=response_payload.SerializeToString()))
    transaction = transaction_pb2.Transaction(actions=[transaction_pb2.TransactionAction(
        header=header.signature_header, payload=action_payload.SerializeToString())])
    payload = common_pb2.Payload(header=header, data=transaction.SerializeToString())
    return envelope_of(payload, key), txid


def seek_envelope(identity, key, start, stop, behavior=ab_pb2.SeekInfo.FAIL_IF_NOT_READY, channel=CHANNEL, tls_hash=b""):
    def position(value):
        if value == "newest":
            return ab_pb2.SeekPosition(newest=ab_pb2.SeekNewest())
        if value == "oldest":
            return ab_pb2.SeekPosition(oldest=ab_pb2.SeekOldest())
        return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=value))
    header, _ = signed_header(common_pb2.DELIVER_SEEK_INFO, identity, channel, tls_hash=tls_hash)
    info = ab_pb2.SeekInfo(start=position(start), stop=position(stop), behavior=behavior)
    return envelope_of(common_pb2.Payload(header=header, data=info.SerializeToString()), key)


def deliver(stub, envelope, timeout=20):
    """(blocks, final status) of one Deliver request."""
    blocks, status = [], None
    for response in stub.Deliver(iter([envelope]), timeout=timeout):
        if response.HasField("block"):
            blocks.append(response.block)
        else:
            status = response.status
            break
    return blocks, status


def eventually(what, attempt, seconds=20, retry_on=()):
    """Calls attempt() until it returns something other than None (an exception of a type in
    retry_on counts as "not yet"), every 0.2 s, for at most `seconds`; then the last exception,
    or AssertionError naming `what`. The one wait of the suite: a condition with a deadline."""
    deadline = time.time() + seconds
    while True:
        try:
            result = attempt()
        except retry_on:
            if time.time() > deadline:
                raise
            result = None
        if result is not None:
            return result
        if time.time() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.2)  # the poll interval


def delivered(stub, identity, key, start, stop, seconds=20):
    """The blocks start…stop from a peer's or orderer's Deliver, once it holds them all."""
    def attempt():
        blocks, status = deliver(stub, seek_envelope(identity, key, start, stop), timeout=seconds)
        return blocks if status == common_pb2.SUCCESS else None
    return eventually(f"blocks {start}…{stop} delivered", attempt, seconds)


def signed_proposal(identity, key, chaincode, args, channel=CHANNEL):
    """A SignedProposal as Fabric's SDKs make one."""
    extension = proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode)).SerializeToString()
    header, txid = signed_header(common_pb2.ENDORSER_TRANSACTION, identity, channel, extension)
    invocation = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=chaincode_pb2.ChaincodeSpec(
        type=chaincode_pb2.ChaincodeSpec.GOLANG, chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode),
        input=chaincode_pb2.ChaincodeInput(args=args)))
    payload = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString())
    proposal = proposal_pb2.Proposal(header=header.SerializeToString(), payload=payload.SerializeToString())
    data = proposal.SerializeToString()
    return proposal_pb2.SignedProposal(proposal_bytes=data, signature=sign(key, data)), txid


# ---------------------------------------------------------------- the checks

class Suite:
    def __init__(self, network):
        self.network = network
        self.client = network.user("Org1MSP", "User1")
        self.orderer_stub = ab_pb2_grpc.AtomicBroadcastStub(network.channel(network.orderer))
        self.passed = 0
        self.failed = 0
        self.txid = None

    def run(self, name, check):
        try:
            check()
            self.passed += 1
            print(f"PASS {name}")
        except Exception:  # noqa: BLE001 - every failure is reported, the suite goes on
            self.failed += 1
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)

    def orderer_blocks(self, start, stop):
        identity, key, _ = self.client
        blocks, status = deliver(self.orderer_stub, seek_envelope(identity, key, start, stop))
        assert status == common_pb2.SUCCESS, f"Deliver ended with {common_pb2.Status.Name(status)}"
        return blocks

    def block0_is_a_configuration(self):
        block = self.orderer_blocks(0, 0)[0]
        envelope = common_pb2.Envelope.FromString(block.data.data[0])
        payload = common_pb2.Payload.FromString(envelope.payload)
        header = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
        assert header.type == common_pb2.CONFIG and header.channel_id == CHANNEL, header
        config = configtx_pb2.ConfigEnvelope.FromString(payload.data).config
        groups = config.channel_group.groups

        def msp_ids(section):
            """The MSP IDs of a section's org groups (keyed by org Name, as configtxgen keys them)."""
            names = set()
            for key, group in groups[section].groups.items():
                fabric = msp_config_pb2.FabricMSPConfig.FromString(msp_config_pb2.MSPConfig.FromString(group.values["MSP"].value).config)
                assert fabric.root_certs and fabric.tls_root_certs, key
                names.add(fabric.name)
            return names
        assert msp_ids("Application") == {"Org1MSP", "Org2MSP"}, msp_ids("Application")
        assert msp_ids("Orderer") == {"OrdererMSP"}, msp_ids("Orderer")
        # Every value and policy of the tree decodes as its declared type (check_config_block.py).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import check_config_block
        checker = check_config_block.check_envelope(block.data.data[0], check_config_block.Checker())
        assert checker.failed == 0 and checker.passed > 50, f"config tree: {checker.passed} passed, {checker.failed} failed"
        writers = groups["Application"].policies["Writers"].policy
        assert writers.type == policies_pb2.Policy.IMPLICIT_META
        endorsement = policies_pb2.ImplicitMetaPolicy.FromString(groups["Application"].policies["Endorsement"].policy.value)
        assert endorsement.rule == policies_pb2.ImplicitMetaPolicy.MAJORITY and endorsement.sub_policy == "Endorsement"

    def broadcast_is_ordered_into_a_block(self):
        identity, key, _ = self.client
        envelope, txid = endorser_transaction(identity, key, {"python-suite": b"written by grpcio"})
        responses = list(self.orderer_stub.Broadcast(iter([envelope]), timeout=20))
        assert [r.status for r in responses] == [common_pb2.SUCCESS], responses
        def block_of_txid():
            for block in self.orderer_blocks("oldest", "newest"):
                for entry in block.data.data:
                    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(entry).payload)
                    if common_pb2.ChannelHeader.FromString(payload.header.channel_header).tx_id == txid:
                        return block.header.number
            return None
        self.txid = (txid, eventually(f"{txid} in a block", block_of_txid))

    def blocks_follow_fabrics_hash_and_signature_rules(self):
        blocks = self.orderer_blocks("oldest", "newest")
        assert len(blocks) >= 2, len(blocks)
        previous = None
        for block in blocks:
            assert block.header.previous_hash == (header_hash(previous.header) if previous else b""), block.header.number
            assert block.header.data_hash == hashlib.sha256(b"".join(block.data.data)).digest(), block.header.number
            for entry in block.data.data:
                assert common_pb2.Envelope.FromString(entry).SerializeToString() == entry, "an entry is not canonical"
            assert len(block.metadata.metadata) == 5
            metadata = common_pb2.Metadata.FromString(block.metadata.metadata[common_pb2.SIGNATURES])
            common_pb2.OrdererBlockMetadata.FromString(metadata.value)
            assert metadata.signatures, f"block {block.header.number} is not signed"
            for signature in metadata.signatures:
                creator = identities_pb2.SerializedIdentity.FromString(
                    common_pb2.SignatureHeader.FromString(signature.signature_header).creator)
                assert creator.mspid == "OrdererMSP", creator.mspid
                signed = metadata.value + signature.signature_header + header_bytes(block.header)
                assert verify(creator.id_bytes, signed, signature.signature), f"block {block.header.number}: bad orderer signature"
            previous = block

    def refusals_carry_fabrics_statuses(self):
        identity, _, _ = self.client
        _, other_key, _ = self.network.user("Org2MSP", "User1")
        forged, _ = endorser_transaction(identity, other_key, {"forged": b"x"})
        statuses = [r.status for r in self.orderer_stub.Broadcast(iter([forged]), timeout=20)]
        assert statuses == [common_pb2.FORBIDDEN], statuses
        _, key, _ = self.client
        elsewhere, _ = endorser_transaction(identity, key, {"k": b"v"}, channel="nosuchchannel")
        statuses = [r.status for r in self.orderer_stub.Broadcast(iter([elsewhere]), timeout=20)]
        assert statuses == [common_pb2.NOT_FOUND], statuses
        garbage = common_pb2.Envelope(payload=b"\xff\xff", signature=b"\x30\x00")
        statuses = [r.status for r in self.orderer_stub.Broadcast(iter([garbage]), timeout=20)]
        assert statuses == [common_pb2.BAD_REQUEST], statuses
        # A reader's request signed with someone else's key.
        _, status = deliver(self.orderer_stub, seek_envelope(identity, other_key, 0, 0))
        assert status == common_pb2.FORBIDDEN, common_pb2.Status.Name(status)
        identity, key, _ = self.client
        _, status = deliver(self.orderer_stub, seek_envelope(identity, key, 10_000, 10_000))
        assert status == common_pb2.NOT_FOUND, common_pb2.Status.Name(status)

    def deliver_checks_the_tls_certificate_hash(self):
        identity, key, _ = self.client
        tls_key, tls_cert = self.network.tls_user("Org1MSP", "User1")
        stub = ab_pb2_grpc.AtomicBroadcastStub(self.network.channel(self.network.orderer, (tls_key, tls_cert)))
        bound = hashlib.sha256(certificate_der(tls_cert)).digest()
        blocks, status = deliver(stub, seek_envelope(identity, key, 0, 0, tls_hash=bound))
        assert status == common_pb2.SUCCESS and len(blocks) == 1, common_pb2.Status.Name(status)
        _, status = deliver(stub, seek_envelope(identity, key, 0, 0, tls_hash=hashlib.sha256(b"another").digest()))
        assert status != common_pb2.SUCCESS, "a seek bound to another certificate was served"

    def peers_deliver_the_same_blocks_with_flags(self):
        assert self.txid, "the broadcast check did not run first"
        txid, number = self.txid
        identity, key, _ = self.client
        ordered = self.orderer_blocks(0, number)
        for peer in self.network.peers:
            stub = events_pb2_grpc.DeliverStub(self.network.channel(peer))
            blocks = delivered(stub, identity, key, 0, number)
            for theirs, ours in zip(blocks, ordered):
                assert theirs.header == ours.header and theirs.data == ours.data, f"{peer['name']} block {ours.header.number}"
                flags = theirs.metadata.metadata[common_pb2.TRANSACTIONS_FILTER]
                assert len(flags) == len(theirs.data.data), f"{peer['name']} block {ours.header.number}: {len(flags)} flags"
            last = blocks[number]
            index = [common_pb2.ChannelHeader.FromString(common_pb2.Payload.FromString(
                common_pb2.Envelope.FromString(entry).payload).header.channel_header).tx_id for entry in last.data.data].index(txid)
            flag = last.metadata.metadata[common_pb2.TRANSACTIONS_FILTER][index]
            assert flag == transaction_pb2.VALID, f"{peer['name']}: {transaction_pb2.TxValidationCode.Name(flag)}"


def gateway_endorses_submits_and_reports_commit_status(suite):
    """The Gateway on a peer: Endorse (both orgs, the built-in contract's put), Submit,
    CommitStatus VALID, then Evaluate reads the value back."""
    network = suite.network
    identity, key, _ = suite.client
    peer = next(p for p in network.peers if p["mspID"] == "Org1MSP")
    stub = gateway_pb2_grpc.GatewayStub(network.channel(peer))
    proposal, txid = signed_proposal(identity, key, "fabnet", [b"put", b"via-gateway", b"hello gateway"])
    endorsed = stub.Endorse(gateway_pb2.EndorseRequest(transaction_id=txid, channel_id=CHANNEL, proposed_transaction=proposal), timeout=30)
    prepared = endorsed.prepared_transaction
    transaction = transaction_pb2.Transaction.FromString(common_pb2.Payload.FromString(prepared.payload).data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    endorsers = {identities_pb2.SerializedIdentity.FromString(e.endorser).mspid for e in action.action.endorsements}
    assert endorsers == {"Org1MSP", "Org2MSP"}, endorsers
    prepared.signature = sign(key, prepared.payload)
    stub.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=30)
    request = gateway_pb2.CommitStatusRequest(transaction_id=txid, channel_id=CHANNEL, identity=identity).SerializeToString()
    status = stub.CommitStatus(gateway_pb2.SignedCommitStatusRequest(request=request, signature=sign(key, request)), timeout=30)
    assert status.result == transaction_pb2.VALID, transaction_pb2.TxValidationCode.Name(status.result)
    read, _ = signed_proposal(identity, key, "fabnet", [b"get", b"via-gateway"])
    evaluated = stub.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=read), timeout=30)
    assert evaluated.result.payload == b"hello gateway", evaluated.result
    # A chaincode nobody defined is refused by the gateway.
    unknown, _ = signed_proposal(identity, key, "nosuchcc", [b"f"])
    try:
        stub.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=unknown), timeout=30)
        raise AssertionError("an undefined chaincode was evaluated")
    except grpc.RpcError as error:
        assert error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.FAILED_PRECONDITION), error.code()


def endorser_serves_older_sdks(suite):
    """protos.Endorser/ProcessProposal, as Fabric's `peer` CLI and the SDKs before the Gateway use
    it: the client collects one endorsement per org itself, assembles the transaction, broadcasts
    it to the orderer, and it commits VALID; a refusal is a gRPC success with status 500."""
    network = suite.network
    identity, key, _ = suite.client
    endorsers = [next(p for p in network.peers if p["mspID"] == msp) for msp in ("Org1MSP", "Org2MSP")]
    proposal, txid = signed_proposal(identity, key, "fabnet", [b"put", b"via-endorser", b"hello endorser"])
    responses = [peer_pb2_grpc.EndorserStub(network.channel(peer)).ProcessProposal(proposal, timeout=30) for peer in endorsers]
    for response in responses:
        assert response.response.status == 200, response.response.message
    assert responses[0].payload == responses[1].payload, "the two orgs' peers endorsed different bytes"
    parsed = proposal_pb2.Proposal.FromString(proposal.proposal_bytes)
    header = common_pb2.Header.FromString(parsed.header)
    action = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=parsed.payload,
        action=transaction_pb2.ChaincodeEndorsedAction(proposal_response_payload=responses[0].payload,
                                                       endorsements=[r.endorsement for r in responses]))
    transaction = transaction_pb2.Transaction(actions=[transaction_pb2.TransactionAction(
        header=header.signature_header, payload=action.SerializeToString())])
    envelope = envelope_of(common_pb2.Payload(header=header, data=transaction.SerializeToString()), key)
    answers = list(suite.orderer_stub.Broadcast(iter([envelope]), timeout=20))
    assert answers[0].status == common_pb2.SUCCESS, answers[0]
    gateway = gateway_pb2_grpc.GatewayStub(network.channel(endorsers[0]))
    code = wait_status(gateway, key, identity, txid)
    assert code == transaction_pb2.VALID, transaction_pb2.TxValidationCode.Name(code)
    # A proposal signed by someone else: refused inside the response, not as a gRPC error.
    forged, _ = signed_proposal(identity, key, "fabnet", [b"get", b"via-endorser"])
    forged.signature = sign(key, b"something else")
    refused = peer_pb2_grpc.EndorserStub(network.channel(endorsers[0])).ProcessProposal(forged, timeout=30)
    assert refused.response.status == 500 and "access denied" in refused.response.message, refused.response


def chaincode_events_through_the_gateway(suite):
    """gateway.Gateway/ChaincodeEvents with the built-in contract's `emit`: the event of a
    committed transaction is read from its block, and a client resuming after that transaction
    gets the next one."""
    network = suite.network
    identity, key, _ = suite.client
    stub = gateway_pb2_grpc.GatewayStub(network.channel(next(p for p in network.peers if p["mspID"] == "Org2MSP")))

    def emit(name, payload):
        txid, prepared = submit_via_gateway(stub, key, identity, "fabnet", [b"emit", name, payload, b"evented", payload])
        stub.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
        request = gateway_pb2.CommitStatusRequest(transaction_id=txid, channel_id=CHANNEL, identity=identity).SerializeToString()
        status = stub.CommitStatus(gateway_pb2.SignedCommitStatusRequest(request=request, signature=sign(key, request)), timeout=60)
        assert status.result == transaction_pb2.VALID, transaction_pb2.TxValidationCode.Name(status.result)
        return txid, status.block_number

    def first_events(start, after=""):
        request = gateway_pb2.ChaincodeEventsRequest(channel_id=CHANNEL, chaincode_id="fabnet", identity=identity,
                                                     start_position=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=start)),
                                                     after_transaction_id=after).SerializeToString()
        responses = stub.ChaincodeEvents(gateway_pb2.SignedChaincodeEventsRequest(request=request, signature=sign(key, request)), timeout=30)
        try:
            return next(iter(responses))
        finally:
            responses.cancel()

    first, block = emit(b"AssetMoved", b"asset7 to Ann")
    response = first_events(block)
    assert response.block_number == block, (response.block_number, block)
    event = response.events[0]
    assert (event.chaincode_id, event.tx_id, event.event_name, event.payload) == ("fabnet", first, "AssetMoved", b"asset7 to Ann"), event
    second, _ = emit(b"AssetSold", b"asset7 to Bob")
    resumed = first_events(block, after=first)
    assert [(e.tx_id, e.event_name) for e in resumed.events] == [(second, "AssetSold")], resumed


def submit_via_gateway(stub, key, identity, chaincode, args, organizations=()):
    """Endorse (optionally by exactly `organizations`), sign, Submit and wait: the commit code."""
    proposal, txid = signed_proposal(identity, key, chaincode, args)
    endorsed = stub.Endorse(gateway_pb2.EndorseRequest(transaction_id=txid, channel_id=CHANNEL, proposed_transaction=proposal,
                                                       endorsing_organizations=list(organizations)), timeout=60)
    prepared = endorsed.prepared_transaction
    prepared.signature = sign(key, prepared.payload)
    return txid, prepared


def wait_status(stub, key, identity, txid):
    request = gateway_pb2.CommitStatusRequest(transaction_id=txid, channel_id=CHANNEL, identity=identity).SerializeToString()
    return stub.CommitStatus(gateway_pb2.SignedCommitStatusRequest(request=request, signature=sign(key, request)), timeout=60).result


def asset_transfer_through_the_gateway(suite, chaincode):
    """Hyperledger's Python contract (asset transfer) run as a service, called through the
    Gateway as fabric-gateway clients call it: create, read on both orgs, list with a range
    query, an MVCC conflict between two transfers, an endorsement policy failure, and a
    chaincode error as Fabric's gateway reports it."""
    network = suite.network
    identity, key, _ = suite.client
    gateways = {peer["mspID"]: gateway_pb2_grpc.GatewayStub(network.channel(peer)) for peer in network.peers}
    org1, org2 = gateways["Org1MSP"], gateways["Org2MSP"]
    txid, prepared = submit_via_gateway(org1, key, identity, chaincode, [b"CreateAsset", b"asset1", b"blue", b"5", b"Tom", b"300"])
    org1.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
    code = wait_status(org1, key, identity, txid)
    assert code == transaction_pb2.VALID, transaction_pb2.TxValidationCode.Name(code)
    for gateway in (org1, org2):
        def read():
            proposal, _ = signed_proposal(identity, key, chaincode, [b"ReadAsset", b"asset1"])
            return gateway.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=proposal), timeout=60).result
        result = eventually("asset1 readable", read, retry_on=grpc.RpcError)
        assert json.loads(result.payload)["Owner"] == "Tom", result.payload
    listed, _ = signed_proposal(identity, key, chaincode, [b"GetAllAssets"])
    assets = json.loads(org1.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=listed), timeout=60).result.payload)
    assert [asset["ID"] for asset in assets] == ["asset1"], assets
    # 150 more in one transaction: listing all takes two of the peer's batches (100 records
    # each, QUERY_STATE_NEXT), and a paginated query walks pages by the peer's bookmarks.
    txid, prepared = submit_via_gateway(org1, key, identity, chaincode, [b"CreateAssets", b"bulk", b"150"])
    org1.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
    code = wait_status(org1, key, identity, txid)
    assert code == transaction_pb2.VALID, transaction_pb2.TxValidationCode.Name(code)
    listed, _ = signed_proposal(identity, key, chaincode, [b"GetAllAssets"])
    assets = json.loads(org1.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=listed), timeout=60).result.payload)
    expected = ["asset1"] + [f"bulk{n:04d}" for n in range(150)]
    assert [asset["ID"] for asset in assets] == expected, [asset["ID"] for asset in assets][:5]
    walked, bookmark, pages = [], "", 0
    while True:
        page, _ = signed_proposal(identity, key, chaincode, [b"GetAssetsPage", bookmark.encode(), b"40"])
        answer = json.loads(org1.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=page), timeout=60).result.payload)
        assert answer["fetched"] == len(answer["ids"]), answer
        walked += answer["ids"]
        pages += 1
        bookmark = answer["bookmark"]
        if not bookmark:
            break
        assert bookmark == expected[len(walked)], (bookmark, len(walked))
    assert walked == expected and pages == 4, (pages, walked[:3])
    # Two transfers of one asset endorsed at the same version: one VALID, one MVCC_READ_CONFLICT.
    first = submit_via_gateway(org1, key, identity, chaincode, [b"TransferAsset", b"asset1", b"Ann"])
    second = submit_via_gateway(org1, key, identity, chaincode, [b"TransferAsset", b"asset1", b"Bob"])
    for txid, prepared in (first, second):
        org1.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
    codes = sorted(wait_status(org1, key, identity, txid) for txid, _ in (first, second))
    assert codes == [transaction_pb2.VALID, transaction_pb2.MVCC_READ_CONFLICT], [transaction_pb2.TxValidationCode.Name(c) for c in codes]
    # Endorsed by Org1 alone: the default MAJORITY Endorsement of two orgs is not met.
    txid, prepared = submit_via_gateway(org1, key, identity, chaincode, [b"CreateAsset", b"asset9", b"red", b"1", b"Eve", b"1"], ["Org1MSP"])
    org1.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
    code = wait_status(org1, key, identity, txid)
    assert code == transaction_pb2.ENDORSEMENT_POLICY_FAILURE, transaction_pb2.TxValidationCode.Name(code)
    # A chaincode error reaches the client as Fabric's gateway reports it.
    missing, _ = signed_proposal(identity, key, chaincode, [b"ReadAsset", b"nosuchasset"])
    try:
        org1.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=missing), timeout=60)
        raise AssertionError("reading a missing asset succeeded")
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNKNOWN, error.code()
        assert "chaincode response 500" in error.details(), error.details()


def exported_environment_and_profile_reach_the_network(suite):
    """What `eval "$(fabnet env Org1)"` exports is all a gateway client needs: its identity, the
    endpoint, the TLS root and the server name to expect reach the Gateway's Evaluate; ORDERER_*
    reach the orderer's Deliver; and the connection profile it names reaches every peer of the
    org (each URL, PEM and name override as written) with protos.Deliver."""
    env = os.environ
    certificate = read(env["FABNET_CERT_PATH"])
    identity = identities_pb2.SerializedIdentity(mspid=env["FABNET_MSP_ID"], id_bytes=certificate).SerializeToString()
    key = env["FABNET_KEY_PATH"]

    def dial(address, root_pem, server_name):
        return grpc.secure_channel(address, grpc.ssl_channel_credentials(root_pem),
                                   [("grpc.ssl_target_name_override", server_name)])

    gateway = gateway_pb2_grpc.GatewayStub(dial(env["FABNET_GATEWAY_ENDPOINT"], read(env["FABNET_TLS_ROOT_CERT"]),
                                                env["FABNET_GATEWAY_HOST_ALIAS"]))
    proposal, _ = signed_proposal(identity, key, "fabnet", [b"get", b"via-gateway"])
    evaluated = gateway.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=proposal), timeout=30)
    assert evaluated.result.payload == b"hello gateway", evaluated.result
    orderer = ab_pb2_grpc.AtomicBroadcastStub(dial(env["ORDERER_ADDRESS"], read(env["ORDERER_CA"]), env["FABNET_ORDERER_HOST_ALIAS"]))
    blocks, status = deliver(orderer, seek_envelope(identity, key, 0, 0))
    assert status == common_pb2.SUCCESS and len(blocks) == 1, common_pb2.Status.Name(status)

    with open(env["FABNET_CONNECTION_PROFILE"]) as handle:
        profile = json.load(handle)
    organization = profile["organizations"][profile["client"]["organization"]]
    assert organization["mspid"] == env["FABNET_MSP_ID"], organization
    expected = sorted(peer["name"] for peer in suite.network.peers if peer["mspID"] == env["FABNET_MSP_ID"])
    assert sorted(organization["peers"]) == expected, (organization["peers"], expected)
    for name in organization["peers"]:
        peer = profile["peers"][name]
        assert peer["url"].startswith("grpcs://"), peer["url"]
        channel = dial(peer["url"][len("grpcs://"):], peer["tlsCACerts"]["pem"].encode(), peer["grpcOptions"]["ssl-target-name-override"])
        blocks, status = deliver(events_pb2_grpc.DeliverStub(channel), seek_envelope(identity, key, 0, 0))
        assert status == common_pb2.SUCCESS and len(blocks) == 1, f"{name}: {common_pb2.Status.Name(status)}"


def every_peer_flags_every_block_alike(suite):
    """Every peer (also one that was down while a chaincode was defined, and caught up since)
    holds the same blocks with the same TRANSACTIONS_FILTER: validation is deterministic."""
    identity, key, _ = suite.client
    height = len(suite.orderer_blocks("oldest", "newest"))
    flags = {}
    for peer in suite.network.peers:
        stub = events_pb2_grpc.DeliverStub(suite.network.channel(peer))
        blocks = delivered(stub, identity, key, 0, height - 1, seconds=30)
        flags[peer["name"]] = [bytes(block.metadata.metadata[common_pb2.TRANSACTIONS_FILTER]) for block in blocks]
    reference = next(iter(flags.values()))
    for name, found in flags.items():
        assert found == reference, f"{name} flags blocks differently: {found} vs {reference}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    suite = Suite(Network(sys.argv[1]))
    for name in ("block0_is_a_configuration", "broadcast_is_ordered_into_a_block",
                 "blocks_follow_fabrics_hash_and_signature_rules", "refusals_carry_fabrics_statuses",
                 "deliver_checks_the_tls_certificate_hash", "peers_deliver_the_same_blocks_with_flags"):
        suite.run(name, getattr(suite, name))
    suite.run("gateway_endorses_submits_and_reports_commit_status", lambda: gateway_endorses_submits_and_reports_commit_status(suite))
    suite.run("endorser_serves_older_sdks", lambda: endorser_serves_older_sdks(suite))
    suite.run("chaincode_events_through_the_gateway", lambda: chaincode_events_through_the_gateway(suite))
    if os.environ.get("FABNET_GATEWAY_ENDPOINT"):
        suite.run("exported_environment_and_profile_reach_the_network", lambda: exported_environment_and_profile_reach_the_network(suite))
    chaincode = os.environ.get("FABNET_CHAINCODE")
    if chaincode:
        suite.run("asset_transfer_through_the_gateway", lambda: asset_transfer_through_the_gateway(suite, chaincode))
    suite.run("every_peer_flags_every_block_alike", lambda: every_peer_flags_every_block_alike(suite))
    print(f"{suite.passed} passed, {suite.failed} failed")
    return 0 if suite.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
