"""An asset-transfer contract, written on Hyperledger's Python contract API.

An asset is something with an owner: a car, a painting, a crate of apples. The contract keeps
each one in the channel's world state as a small JSON object under the asset's ID, and offers four
transactions:

    CreateAsset(id, color, owner)   record a new asset (fails if the ID is taken)
    ReadAsset(id)                   the asset as JSON (fails if there is none)
    TransferAsset(id, new_owner)    give the asset to someone else; answers the previous owner
    GetAllAssets()                  every asset, as a JSON list sorted by ID

How it runs: as chaincode-as-a-service. This process is a gRPC server and the *peer dials it*
(Fabric's `protos.Chaincode/Connect`). Hyperledger's shim reads two variables, exactly as it does
under a real Fabric peer:

    CHAINCODE_SERVER_ADDRESS   host:port to listen on, e.g. 127.0.0.1:9999
    CHAINCODE_ID               the ID the peers expect, here the chaincode's name: basic

    CHAINCODE_SERVER_ADDRESS=127.0.0.1:9999 CHAINCODE_ID=basic \\
        .venv-fabric/bin/python examples/asset-transfer/contract.py

then `fabnet chaincode deploy basic --address 127.0.0.1:9999 -c mychannel` tells every peer of
the channel where to find it. See README.md beside this file for the whole walkthrough.
"""
import json

from fabric_chaincode_python.fabric_contract_api.contractapi import (
    Contract,
    ContractChaincode,
    TransactionContextInterface as Context,
)


def to_bytes(asset: dict) -> bytes:
    """The bytes stored for an asset.

    Several peers run each transaction independently (the endorsement policy asks for one peer
    of each org here) and the client's transaction is valid only if all of them wrote the *same*
    bytes. A Python dict prints its keys in insertion order, so fix the order and the spacing:
    the same asset always becomes the same bytes, on every peer.
    """
    return json.dumps(asset, sort_keys=True, separators=(",", ":")).encode()


class AssetTransfer(Contract):
    # The contract's name. A client may call "AssetTransfer:ReadAsset"; since this is the only
    # contract in the chaincode it is also the default one, so plain "ReadAsset" works too.
    Name = "AssetTransfer"

    # Every transaction is an `async def` taking the transaction context first, then the
    # client's arguments. Arguments arrive as strings, in order, exactly as the client sent them.
    # Whatever a transaction returns is the response payload the client gets back. Raising an
    # exception turns into an error response (status 500 with the message): the peer then
    # endorses nothing and nothing is written.

    async def CreateAsset(self, ctx: Context, asset_id: str, color: str, owner: str) -> str:
        stub = ctx.get_stub()  # the shim's view of this transaction: state, tx ID, creator…
        # get_state reads the world state *as of the peer's last committed block*; an absent key
        # reads as empty bytes.
        if await stub.get_state(asset_id):
            raise Exception(f"the asset {asset_id} already exists")
        asset = {"ID": asset_id, "Color": color, "Owner": owner}
        # put_state does not write anything yet: it adds the write to the transaction's
        # read-write set. The write reaches the ledger only when the endorsed transaction is
        # ordered into a block and every peer validates it at commit.
        await stub.put_state(asset_id, to_bytes(asset))
        return json.dumps(asset, sort_keys=True)

    async def ReadAsset(self, ctx: Context, asset_id: str) -> str:
        data = await ctx.get_stub().get_state(asset_id)
        if not data:
            raise Exception(f"the asset {asset_id} does not exist")
        return data.decode()

    async def TransferAsset(self, ctx: Context, asset_id: str, new_owner: str) -> str:
        stub = ctx.get_stub()
        # Reads are recorded in the read-write set too, with the version the peer read. If
        # another transaction changes the asset before this one commits, this one fails
        # validation with MVCC_READ_CONFLICT: two transfers of one asset cannot both succeed.
        data = await stub.get_state(asset_id)
        if not data:
            raise Exception(f"the asset {asset_id} does not exist")
        asset = json.loads(data)
        previous_owner = asset["Owner"]
        asset["Owner"] = new_owner
        await stub.put_state(asset_id, to_bytes(asset))
        return previous_owner

    async def GetAllAssets(self, ctx: Context) -> str:
        # A range query from "" to "" spans every key this chaincode has written (each chaincode
        # has its own namespace of keys). Results arrive sorted by key, in batches the shim asks
        # the peer for as the loop goes on.
        assets = []
        async for record in await ctx.get_stub().get_state_by_range("", ""):
            assets.append(json.loads(record.value))
        return json.dumps(assets, sort_keys=True)


if __name__ == "__main__":
    # start() reads CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID, listens (plain gRPC: no TLS
    # variables are set) and serves until the process is stopped.
    ContractChaincode.new_chaincode(AssetTransfer()).start()
