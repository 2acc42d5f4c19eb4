#!/usr/bin/env python3
"""Calls a fabnet Gateway with Python's grpcio and Hyperledger's own protos (plaintext).

Proves the gateway.Gateway method paths, message encodings and error details work with the stack
Fabric's clients use. Runs against FabricGatewayTests' fake backend: chaincode `basic` on
`mychannel`, endorsers answering `the result` to every function except `Fail`, an orderer that
commits what it accepts as VALID in block 5.

Usage: gateway_smoke.py HOST:PORT

It:
1. Evaluates ReadAsset and expects the result;
2. Endorses CreateAsset, expects a prepared transaction whose header is the proposal's and whose
   action carries two endorsements and the result;
3. Submits it signed, and asks its CommitStatus (signed), expecting VALID in block 5;
4. Evaluates Fail: UNKNOWN, Fabric's message, and one gateway.ErrorDetail in the status details;
5. Endorses Fail: ABORTED with an ErrorDetail naming the endorser.
Prints one line per check and "OK" at the end; exits non-zero on the first failure.
"""

import hashlib
import os
import sys

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2, proposal_response_pb2, transaction_pb2
from google.protobuf import timestamp_pb2

CHANNEL = "mychannel"
CHAINCODE = "basic"


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def proposal(function, *args):
    """A signed proposal as fabric-gateway's clients build one; returns (tx_id, SignedProposal)."""
    creator = identities_pb2.SerializedIdentity(mspid="Org1MSP", id_bytes=b"-----BEGIN CERTIFICATE-----\npython\n-----END CERTIFICATE-----\n").SerializeToString()
    nonce = os.urandom(24)
    tx_id = hashlib.sha256(nonce + creator).hexdigest()
    extension = proposal_pb2.ChaincodeHeaderExtension(chaincode_id=chaincode_pb2.ChaincodeID(name=CHAINCODE))
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION, channel_id=CHANNEL, tx_id=tx_id,
        timestamp=timestamp_pb2.Timestamp(seconds=1_700_000_000), extension=extension.SerializeToString())
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    spec = chaincode_pb2.ChaincodeInvocationSpec(chaincode_spec=chaincode_pb2.ChaincodeSpec(
        type=chaincode_pb2.ChaincodeSpec.GOLANG, chaincode_id=chaincode_pb2.ChaincodeID(name=CHAINCODE),
        input=chaincode_pb2.ChaincodeInput(args=[function.encode()] + [a.encode() for a in args])))
    header = common_pb2.Header(channel_header=channel_header.SerializeToString(),
                               signature_header=signature_header.SerializeToString())
    prop = proposal_pb2.Proposal(header=header.SerializeToString(),
                                 payload=proposal_pb2.ChaincodeProposalPayload(input=spec.SerializeToString()).SerializeToString())
    signed = proposal_pb2.SignedProposal(proposal_bytes=prop.SerializeToString(), signature=b"python-signature")
    return tx_id, signed, creator


def varint(data, position):
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def fields(data):
    """(field number, value) of a protobuf message: varints as ints, length-delimited as bytes."""
    position = 0
    while position < len(data):
        key, position = varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = varint(data, position)
        elif wire == 2:
            length, position = varint(data, position)
            value, position = data[position:position + length], position + length
        else:
            raise ValueError(f"wire type {wire} not expected in google.rpc.Status")
        yield number, value


def error_details(error):
    """The gateway.ErrorDetails in a gRPC error's google.rpc.Status (grpc-status-details-bin)."""
    trailers = dict(error.trailing_metadata() or ())
    status = trailers.get("grpc-status-details-bin")
    if status is None:
        return []
    details = []
    for number, value in fields(status):
        if number == 3:  # google.protobuf.Any
            any_fields = dict(fields(value))
            if any_fields.get(1, b"").decode().endswith("/gateway.ErrorDetail"):
                details.append(gateway_pb2.ErrorDetail.FromString(any_fields.get(2, b"")))
    return details


def main():
    if len(sys.argv) != 2:
        fail(__doc__)
    channel = grpc.insecure_channel(sys.argv[1])
    gateway = gateway_pb2_grpc.GatewayStub(channel)

    tx_id, signed, _ = proposal("ReadAsset", "asset1")
    result = gateway.Evaluate(gateway_pb2.EvaluateRequest(transaction_id=tx_id, channel_id=CHANNEL, proposed_transaction=signed), timeout=20)
    if result.result.payload != b"the result":
        fail(f"Evaluate answered {result.result!r}")
    print("Evaluate: status", result.result.status, "payload", result.result.payload.decode())

    tx_id, signed, creator = proposal("CreateAsset", "asset7", "blue")
    endorsed = gateway.Endorse(gateway_pb2.EndorseRequest(transaction_id=tx_id, channel_id=CHANNEL, proposed_transaction=signed), timeout=20)
    prepared = endorsed.prepared_transaction
    payload = common_pb2.Payload.FromString(prepared.payload)
    if payload.header.SerializeToString() != proposal_pb2.Proposal.FromString(signed.proposal_bytes).header:
        fail("the prepared transaction's header is not the proposal's")
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    action = transaction_pb2.ChaincodeActionPayload.FromString(transaction.actions[0].payload)
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(action.action.proposal_response_payload)
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    if len(action.action.endorsements) != 2 or chaincode_action.response.payload != b"the result":
        fail(f"Endorse prepared {len(action.action.endorsements)} endorsements and result {chaincode_action.response.payload!r}")
    print("Endorse: endorsements by", ", ".join(e.endorser.decode() for e in action.action.endorsements))

    signed_envelope = common_pb2.Envelope(payload=prepared.payload, signature=b"python-envelope-signature")
    gateway.Submit(gateway_pb2.SubmitRequest(transaction_id=tx_id, channel_id=CHANNEL, prepared_transaction=signed_envelope), timeout=20)
    print("Submit: accepted")
    status_request = gateway_pb2.CommitStatusRequest(transaction_id=tx_id, channel_id=CHANNEL, identity=creator)
    status = gateway.CommitStatus(gateway_pb2.SignedCommitStatusRequest(request=status_request.SerializeToString(), signature=b"good"), timeout=20)
    if status.result != transaction_pb2.VALID or status.block_number != 5:
        fail(f"CommitStatus answered {status!r}")
    print("CommitStatus: VALID in block", status.block_number)

    tx_id, signed, _ = proposal("Fail")
    try:
        gateway.Evaluate(gateway_pb2.EvaluateRequest(transaction_id=tx_id, channel_id=CHANNEL, proposed_transaction=signed), timeout=20)
        fail("Evaluate of Fail succeeded")
    except grpc.RpcError as error:
        expected = "evaluate call to endorser returned error: chaincode response 500, the chaincode was asked to fail"
        details = error_details(error)
        if error.code() != grpc.StatusCode.UNKNOWN or error.details() != expected:
            fail(f"Evaluate of Fail: {error.code()} {error.details()!r}")
        if [d.msp_id for d in details] != ["Org1MSP"] or "asked to fail" not in details[0].message:
            fail(f"Evaluate of Fail: details {details!r}")
        print("Evaluate Fail:", error.code(), error.details(), "| detail:", details[0].address, details[0].message)

    tx_id, signed, _ = proposal("Fail")
    try:
        gateway.Endorse(gateway_pb2.EndorseRequest(transaction_id=tx_id, channel_id=CHANNEL, proposed_transaction=signed), timeout=20)
        fail("Endorse of Fail succeeded")
    except grpc.RpcError as error:
        details = error_details(error)
        if error.code() != grpc.StatusCode.ABORTED or not details:
            fail(f"Endorse of Fail: {error.code()} {error.details()!r} {details!r}")
        print("Endorse Fail:", error.code(), error.details(), "| details:", [(d.address, d.message) for d in details])

    print("OK")


if __name__ == "__main__":
    main()
