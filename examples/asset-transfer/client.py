#!/usr/bin/env python3
"""A client of the asset-transfer contract that talks to a peer's Fabric Gateway directly, with
the official protos (`hyperledger-fabric-protos`) and grpcio: no SDK, so every step a Fabric SDK
hides is written out below.

Usage (after `eval "$(fabnet env Org1)"`):

    client.py create ID COLOR OWNER    submit CreateAsset, wait for the commit, read it back
    client.py read ID                  evaluate ReadAsset (a query: nothing is ordered)
    client.py transfer ID NEW_OWNER    submit TransferAsset, wait for the commit, read it back
    client.py list                     evaluate GetAllAssets

Options: --channel (default mychannel), --chaincode (default basic).

Where to connect and who to be comes from the environment `fabnet env Org1` exports:
FABNET_GATEWAY_ENDPOINT (the peer's gRPC address), FABNET_GATEWAY_HOST_ALIAS (the name in the
peer's TLS certificate), FABNET_TLS_ROOT_CERT (the CA to trust), FABNET_MSP_ID, FABNET_CERT_PATH
and FABNET_KEY_PATH (the identity: an enrollment certificate and its private key).

Exit status: 0 on success; 1 when the network refuses (the message says why); 2 on bad usage or
a missing variable.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

import grpc
from google.protobuf import any_pb2
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, proposal_response_pb2, transaction_pb2

# ------------------------------------------------------------------------------------------
# Signing. Fabric identities are ECDSA P-256 keys; a signature is DER-encoded (r, s) over the
# SHA-256 of the bytes signed. Fabric accepts only "low S" signatures (s at most half the curve
# order): for every valid (r, s), (r, n - s) is valid too, and refusing the high one makes each
# signature unique. The `openssl` command signs; we then normalise S ourselves.
# ------------------------------------------------------------------------------------------

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _read_der_integers(signature: bytes) -> list:
    """The INTEGERs inside a DER SEQUENCE (here: r and s)."""
    position = 2 if signature[1] < 0x80 else 2 + (signature[1] & 0x7F)  # skip SEQUENCE tag+length
    integers = []
    while position < len(signature):
        length = signature[position + 1]  # r and s are at most 33 bytes: a one-byte length
        integers.append(int.from_bytes(signature[position + 2:position + 2 + length], "big"))
        position += 2 + length
    return integers


def _der_sequence_of_integers(*values: int) -> bytes:
    body = b""
    for value in values:
        # DER INTEGERs are signed: take the fewest bytes that leave the top bit 0.
        raw = value.to_bytes((value.bit_length() + 8) // 8, "big")
        body += bytes([0x02, len(raw)]) + raw
    return bytes([0x30, len(body)]) + body


def sign(key_path: str, data: bytes) -> bytes:
    """A Fabric signature over `data` with the PEM private key at `key_path`."""
    try:
        signed = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path],
                                input=data, capture_output=True, check=True).stdout
    except FileNotFoundError:
        raise SystemExit("error: the `openssl` command is needed to sign; install it (e.g. apt-get install openssl)")
    except subprocess.CalledProcessError as failure:
        raise SystemExit(f"error: openssl could not sign with {key_path}: {failure.stderr.decode().strip()}")
    r, s = _read_der_integers(signed)
    if s > P256_ORDER // 2:
        s = P256_ORDER - s
    return _der_sequence_of_integers(r, s)


# ------------------------------------------------------------------------------------------
# Who we are and where the gateway is: the environment `fabnet env Org1` exports.
# ------------------------------------------------------------------------------------------

class Settings:
    VARIABLES = ("FABNET_GATEWAY_ENDPOINT", "FABNET_GATEWAY_HOST_ALIAS", "FABNET_TLS_ROOT_CERT",
                 "FABNET_MSP_ID", "FABNET_CERT_PATH", "FABNET_KEY_PATH")

    def __init__(self, channel: str, chaincode: str):
        missing = [name for name in self.VARIABLES if not os.environ.get(name)]
        if missing:
            print(f"error: {', '.join(missing)} not set; run `eval \"$(fabnet env Org1)\"` first "
                  "(with --state DIR if the network is not in .fabnet)", file=sys.stderr)
            raise SystemExit(2)
        self.endpoint = os.environ["FABNET_GATEWAY_ENDPOINT"]
        self.host_alias = os.environ["FABNET_GATEWAY_HOST_ALIAS"]
        self.key_path = os.environ["FABNET_KEY_PATH"]
        with open(os.environ["FABNET_TLS_ROOT_CERT"], "rb") as file:
            self.tls_root = file.read()
        with open(os.environ["FABNET_CERT_PATH"], "rb") as file:
            certificate = file.read()
        # A Fabric identity on the wire: the MSP (organisation) ID and the PEM certificate.
        self.identity = identities_pb2.SerializedIdentity(
            mspid=os.environ["FABNET_MSP_ID"], id_bytes=certificate).SerializeToString()
        self.channel = channel
        self.chaincode = chaincode


# ------------------------------------------------------------------------------------------
# A proposal: "please run chaincode C with these arguments", signed by us. Every Fabric SDK
# builds exactly this message.
# ------------------------------------------------------------------------------------------

def new_proposal(settings: Settings, arguments: list):
    """(transaction ID, SignedProposal) calling the chaincode with `arguments` (strings)."""
    # The nonce makes the transaction unique; its ID is SHA-256(nonce ‖ creator), which every
    # peer recomputes at commit.
    nonce = os.urandom(24)
    transaction_id = hashlib.sha256(nonce + settings.identity).hexdigest()

    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION,
        channel_id=settings.channel,
        tx_id=transaction_id,
        # Which chaincode the transaction is for.
        extension=proposal_pb2.ChaincodeHeaderExtension(
            chaincode_id=chaincode_pb2.ChaincodeID(name=settings.chaincode)).SerializeToString(),
    )
    channel_header.timestamp.GetCurrentTime()
    signature_header = common_pb2.SignatureHeader(creator=settings.identity, nonce=nonce)
    header = common_pb2.Header(channel_header=channel_header.SerializeToString(),
                               signature_header=signature_header.SerializeToString())

    # The call itself: the function name and its arguments, all as bytes.
    invocation = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=chaincode_pb2.ChaincodeSpec(
        chaincode_id=chaincode_pb2.ChaincodeID(name=settings.chaincode),
        input=chaincode_pb2.ChaincodeInput(args=[argument.encode() for argument in arguments])))
    payload = proposal_pb2.ChaincodeProposalPayload(input=invocation.SerializeToString())

    proposal = proposal_pb2.Proposal(header=header.SerializeToString(), payload=payload.SerializeToString()).SerializeToString()
    return transaction_id, proposal_pb2.SignedProposal(proposal_bytes=proposal, signature=sign(settings.key_path, proposal))


def chaincode_result(envelope: common_pb2.Envelope) -> bytes:
    """What the chaincode returned, dug out of an endorsed transaction.

    The gateway's Endorse answers the whole transaction, ready to sign; the chaincode's answer
    sits inside, in the response the endorsers signed:
    Envelope → Payload → Transaction → action → ProposalResponsePayload → ChaincodeAction.
    """
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    response = proposal_response_pb2.ProposalResponsePayload.FromString(action.action.proposal_response_payload)
    return proposal_pb2.ChaincodeAction.FromString(response.extension).response.payload


# ------------------------------------------------------------------------------------------
# The Gateway: four calls.
# ------------------------------------------------------------------------------------------

class Gateway:
    def __init__(self, settings: Settings):
        self.settings = settings
        # TLS always: trust the org's TLS CA, and expect the peer's own name in its certificate
        # (the peer listens on localhost, but its certificate says peer0.org1.example.com).
        credentials = grpc.ssl_channel_credentials(root_certificates=settings.tls_root)
        channel = grpc.secure_channel(settings.endpoint, credentials,
                                      options=[("grpc.ssl_target_name_override", settings.host_alias)])
        self.stub = gateway_pb2_grpc.GatewayStub(channel)

    def evaluate(self, arguments: list) -> bytes:
        """A query: one peer runs the chaincode and answers. Nothing is endorsed or ordered."""
        _, proposal = new_proposal(self.settings, arguments)
        request = gateway_pb2.EvaluateRequest(channel_id=self.settings.channel, proposed_transaction=proposal)
        return self.stub.Evaluate(request, timeout=30).result.payload

    def submit(self, arguments: list):
        """A transaction that changes the ledger: (chaincode result, validation code, block)."""
        transaction_id, proposal = new_proposal(self.settings, arguments)

        # 1. Endorse. The gateway sends the proposal to enough peers to satisfy the chaincode's
        #    endorsement policy (here one peer of each org), checks they computed the same
        #    result, and returns the transaction with their signed endorsements inside.
        endorsed = self.stub.Endorse(gateway_pb2.EndorseRequest(
            transaction_id=transaction_id, channel_id=self.settings.channel, proposed_transaction=proposal), timeout=60)
        transaction = endorsed.prepared_transaction
        result = chaincode_result(transaction)

        # 2. Sign. The transaction is ours: we sign the envelope's payload, as we signed the
        #    proposal. Nobody else could.
        transaction.signature = sign(self.settings.key_path, transaction.payload)

        # 3. Submit. The gateway hands it to the orderer, which puts it in a block. Returning
        #    here means "accepted for ordering", not yet "committed".
        self.stub.Submit(gateway_pb2.SubmitRequest(
            transaction_id=transaction_id, channel_id=self.settings.channel, prepared_transaction=transaction), timeout=60)

        # 4. CommitStatus. Waits until the gateway's peer has committed the block holding the
        #    transaction, and says how that peer judged it: VALID, or why not (for instance
        #    MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE). Only VALID transactions change
        #    the world state. The request is signed: only a channel member may ask.
        request = gateway_pb2.CommitStatusRequest(
            transaction_id=transaction_id, channel_id=self.settings.channel, identity=self.settings.identity).SerializeToString()
        status = self.stub.CommitStatus(gateway_pb2.SignedCommitStatusRequest(
            request=request, signature=sign(self.settings.key_path, request)), timeout=60)
        return result, transaction_pb2.TxValidationCode.Name(status.result), status.block_number


def error_details(error: grpc.RpcError) -> list:
    """Each endorser's own error, from a refused call's status details.

    Like Fabric's, the gateway says only "failed to endorse transaction, see attached details"
    in the message; the details are a google.rpc.Status in the trailing metadata
    `grpc-status-details-bin`, whose field 3 holds one `gateway.ErrorDetail` per peer that
    refused (as a protobuf Any). Its proto is not in our pinned set, so read the three fields by
    hand: a protobuf field is a varint key (number << 3 | wire type), then a varint value
    (type 0) or a varint length and that many bytes (type 2).
    """
    def varint(data, position):
        value = shift = 0
        while True:
            byte = data[position]
            value |= (byte & 0x7F) << shift
            position, shift = position + 1, shift + 7
            if byte < 0x80:
                return value, position

    details = []
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        position = 0
        while position < len(value):
            field, position = varint(value, position)
            if field & 7 == 0:
                _, position = varint(value, position)
                continue
            length, position = varint(value, position)
            content, position = value[position:position + length], position + length
            if field >> 3 == 3:  # one detail, an Any
                detail = any_pb2.Any.FromString(content)
                if detail.type_url.endswith("/gateway.ErrorDetail"):
                    endorser = gateway_pb2.ErrorDetail.FromString(detail.value)
                    details.append(f"{endorser.msp_id} {endorser.address}: {endorser.message}")
    return details


# ------------------------------------------------------------------------------------------
# The commands.
# ------------------------------------------------------------------------------------------

def submit_and_read_back(gateway: Gateway, arguments: list, asset_id: str) -> bytes:
    print(f"submitting {arguments[0]}({', '.join(arguments[1:])})")
    result, code, block = gateway.submit(arguments)
    print(f"committed: {code} in block {block}")
    if code != "VALID":
        raise SystemExit(1)
    # The gateway's peer has committed the block, so a query now sees the new state.
    print(f"read back: {gateway.evaluate(['ReadAsset', asset_id]).decode()}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Call the asset-transfer contract through a peer's Fabric Gateway.")
    parser.add_argument("--channel", default="mychannel", help="the channel (default: mychannel)")
    parser.add_argument("--chaincode", default="basic", help="the chaincode's name (default: basic)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an asset")
    create.add_argument("id")
    create.add_argument("color")
    create.add_argument("owner")
    read = commands.add_parser("read", help="read an asset")
    read.add_argument("id")
    transfer = commands.add_parser("transfer", help="give an asset to a new owner")
    transfer.add_argument("id")
    transfer.add_argument("new_owner")
    commands.add_parser("list", help="list every asset")
    options = parser.parse_args()

    gateway = Gateway(Settings(options.channel, options.chaincode))
    try:
        if options.command == "create":
            submit_and_read_back(gateway, ["CreateAsset", options.id, options.color, options.owner], options.id)
        elif options.command == "transfer":
            previous = submit_and_read_back(gateway, ["TransferAsset", options.id, options.new_owner], options.id)
            print(f"previous owner: {previous.decode()}")
        elif options.command == "read":
            print(gateway.evaluate(["ReadAsset", options.id]).decode())
        elif options.command == "list":
            assets = json.loads(gateway.evaluate(["GetAllAssets"]))
            print(f"{'ID':<12} {'COLOR':<10} OWNER")
            for asset in assets:
                print(f"{asset['ID']:<12} {asset['Color']:<10} {asset['Owner']}")
            print(f"{len(assets)} asset(s)")
    except grpc.RpcError as error:
        # The gateway's errors carry Fabric's meaning in the gRPC status: UNAVAILABLE (cannot
        # reach the peer), ABORTED (endorsement or ordering failed, e.g. the chaincode raised),
        # UNKNOWN on Evaluate (the chaincode raised), NOT_FOUND (no such channel or chaincode).
        print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
        for detail in error_details(error):
            print(f"  {detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
