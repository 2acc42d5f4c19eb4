#!/usr/bin/env python3
"""Submits and reads one asset of the asset-transfer contract through the Gateway of a running
fabnet network, as a fabric-gateway client does, with the official protos and grpcio.

Usage: gateway_roundtrip.py STATE_DIR CHAINCODE ASSET_ID

As Org1's User1: CreateAsset(ASSET_ID, blue, 5, Tom, 300) endorsed as the gateway of Org1's
first peer plans it, submitted, and its commit status awaited; then ReadAsset(ASSET_ID) evaluated
on the first peer of each org (again while that peer has not committed it yet, up to 30 s).
Prints one JSON line {"status": <validation code>, "owners": {MSP ID: owner}}; exit 0 when the
transaction is VALID and every org reads the owner Tom, 1 otherwise (with the error).
"""
import json
import os
import sys

import grpc
from fabric_protos.gateway import gateway_pb2, gateway_pb2_grpc
from fabric_protos.peer import transaction_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from network_suite import CHANNEL, Network, eventually, signed_proposal, submit_via_gateway, wait_status  # noqa: E402


def evaluate_until_committed(stub, identity, key, chaincode, args, seconds=30):
    def attempt():
        proposal, _ = signed_proposal(identity, key, chaincode, args)
        return stub.Evaluate(gateway_pb2.EvaluateRequest(channel_id=CHANNEL, proposed_transaction=proposal), timeout=30).result
    return eventually(f"{args[0].decode()} evaluated", attempt, seconds, retry_on=grpc.RpcError)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    state, chaincode, asset = sys.argv[1:]
    network = Network(state)
    identity, key, _ = network.user("Org1MSP", "User1")
    firsts = {}
    for peer in network.peers:
        firsts.setdefault(peer["mspID"], peer)
    gateways = {msp: gateway_pb2_grpc.GatewayStub(network.channel(peer)) for msp, peer in firsts.items()}
    org1 = gateways["Org1MSP"]
    txid, prepared = submit_via_gateway(org1, key, identity, chaincode, [b"CreateAsset", asset.encode(), b"blue", b"5", b"Tom", b"300"])
    org1.Submit(gateway_pb2.SubmitRequest(transaction_id=txid, channel_id=CHANNEL, prepared_transaction=prepared), timeout=60)
    status = transaction_pb2.TxValidationCode.Name(wait_status(org1, key, identity, txid))
    owners = {}
    for msp, gateway in sorted(gateways.items()):
        result = evaluate_until_committed(gateway, identity, key, chaincode, [b"ReadAsset", asset.encode()])
        owners[msp] = json.loads(result.payload)["Owner"]
    print(json.dumps({"status": status, "owners": owners}, sort_keys=True))
    return 0 if status == "VALID" and all(owner == "Tom" for owner in owners.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
