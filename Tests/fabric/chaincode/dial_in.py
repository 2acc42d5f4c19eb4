"""Runs the asset-transfer contract (asset_transfer.py) as Go, Node and Java chaincode runs by
default and in Fabric's development mode: the chaincode dials the peer and opens
protos.ChaincodeSupport/Register, and the peer calls it over that stream.

Hyperledger's Python shim (fabric-chaincode-python 2.5.4) only serves (chaincode as a service),
but its Handler.chat_with_peer(stream, context) needs no server: it reads the peer's messages
from `stream` and writes with `context.write()`. This driver gives it the client side of a
Register call in both roles, so the shim's own handler and contract answer, unchanged.

Environment, as Fabric's shims read it:
  CORE_PEER_ADDRESS            host:port of the peer's gRPC endpoint; several, comma-separated,
                               register with each (one stream and handler per peer)
  CORE_CHAINCODE_ID_NAME       the ID to register with: NAME or NAME:VERSION
  CORE_PEER_TLS_ROOTCERT_FILE  PEM of the CA(s) of the peers' TLS certificates (fabnet's peers
                               always serve TLS; their certificates name 127.0.0.1)
  CORE_PEER_TLS_SERVERHOSTOVERRIDE  optional: the name to check in the peer's certificate
  CORE_TLS_CLIENT_KEY_PATH, CORE_TLS_CLIENT_CERT_PATH  the client certificate and key (PEM) the peer requires

    CORE_PEER_ADDRESS=127.0.0.1:7051 CORE_CHAINCODE_ID_NAME=basic:1.0 \
      CORE_PEER_TLS_ROOTCERT_FILE=crypto-config/peerOrganizations/org1.example.com/tlsca/tlsca.org1.example.com-cert.pem \
      python dial_in.py

Prints "registered ADDRESS" once a peer answered REGISTERED and READY, and "ended ADDRESS: …"
when a stream ends (a refusal prints the peer's ERROR). Exits 0 when every stream ended without
an error, 1 otherwise.
"""
import asyncio
import os
import sys

import grpc
from fabric_protos.peer import chaincode_shim_pb2, chaincode_shim_pb2_grpc

from fabric_chaincode_python.fabric_contract_api.contractapi import ContractChaincode
from fabric_chaincode_python.fabric_shim.handler import Handler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from asset_transfer import AssetTransfer  # noqa: E402 - the contract beside this file


class RegisterCall:
    """The client side of a Register call, in the two roles the shim's handler gives its server
    stream: iterating yields the peer's messages; write() sends one. Writes go one at a time: the
    handler writes from concurrent tasks, and grpcio refuses a write while another is pending."""

    def __init__(self, call, address):
        self.call = call
        self.address = address
        self.lock = asyncio.Lock()

    async def write(self, message):
        async with self.lock:
            await self.call.write(message)

    def __aiter__(self):
        return self._messages()

    async def _messages(self):
        async for message in self.call:
            if message.type == chaincode_shim_pb2.ChaincodeMessage.READY:
                print(f"registered {self.address}", flush=True)
            elif message.type == chaincode_shim_pb2.ChaincodeMessage.ERROR and not message.txid:
                print(f"peer error {self.address}: {message.payload.decode(errors='replace')}", flush=True)
            yield message


def read(path):
    if not path:
        return None
    with open(path, "rb") as handle:
        return handle.read()


async def register(address, chaincode_id, contract):
    """One Register stream to `address`, served by its own shim handler until it ends; True if
    it ended without an error."""
    credentials = grpc.ssl_channel_credentials(read(os.environ.get("CORE_PEER_TLS_ROOTCERT_FILE")),
                                               read(os.environ.get("CORE_TLS_CLIENT_KEY_PATH")),
                                               read(os.environ.get("CORE_TLS_CLIENT_CERT_PATH")))
    override = os.environ.get("CORE_PEER_TLS_SERVERHOSTOVERRIDE")
    options = [("grpc.ssl_target_name_override", override)] if override else []
    async with grpc.aio.secure_channel(address, credentials, options) as channel:
        call = chaincode_shim_pb2_grpc.ChaincodeSupportStub(channel).Register()
        stream = RegisterCall(call, address)
        try:
            await Handler(chaincode_id, contract).chat_with_peer(stream, stream)
            await call.done_writing()
        except grpc.aio.AioRpcError as error:
            print(f"ended {address}: {error.code().name} {error.details()}", flush=True)
            return False
        print(f"ended {address}: {(await call.code()).name}", flush=True)
        return True


async def main():
    addresses = [a.strip() for a in os.environ.get("CORE_PEER_ADDRESS", "").split(",") if a.strip()]
    chaincode_id = os.environ.get("CORE_CHAINCODE_ID_NAME", "")
    if not addresses or not chaincode_id:
        print(__doc__)
        return 2
    contract = ContractChaincode.new_chaincode(AssetTransfer())
    results = await asyncio.gather(*(register(address, chaincode_id, contract) for address in addresses))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
