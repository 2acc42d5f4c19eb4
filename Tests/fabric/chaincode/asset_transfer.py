"""A small asset-transfer contract on Hyperledger's Python contract API (fabric-chaincode-python).

It is served as chaincode-as-a-service: the peer dials it. Hyperledger's shim reads the listen
address from CHAINCODE_SERVER_ADDRESS (host:port) and the ID it registers with from CHAINCODE_ID;
TLS is off unless CORE_TLS_CLIENT_KEY_PATH and CORE_TLS_CLIENT_CERT_PATH name the server's key and
certificate (PEM files); CORE_PEER_TLS_ROOTCERT_FILE then names the CA whose client certificates
it requires.

    CHAINCODE_SERVER_ADDRESS=127.0.0.1:9999 CHAINCODE_ID=basic python asset_transfer.py

An asset is a JSON object stored under its ID. Transactions (arguments are strings, as the peer
passes them): CreateAsset(id, color, size, owner, appraisedValue), ReadAsset(id),
UpdateAsset(id, color, size, owner, appraisedValue), TransferAsset(id, newOwner) which answers the
previous owner, DeleteAsset(id), AssetExists(id), GetAllAssets() which reads every asset with a
range query (the peer answers it in batches the shim asks for with QUERY_STATE_NEXT),
CreateAssets(prefix, count) which writes count assets prefix0000, prefix0001, ... in one
transaction, and GetAssetsPage(bookmark, pageSize), one page of a paginated range query with the
peer's bookmark of the next page (as Go's GetStateByRangeWithPagination returns it). A failed
check raises, which the contract API turns
into an error response (status 500 and the message).
"""
import json
import os

from fabric_protos.ledger.queryresult import kv_query_result_pb2
from fabric_protos.peer import chaincode_shim_pb2

from fabric_chaincode_python.fabric_contract_api.contractapi import (
    Contract,
    ContractChaincode,
    TransactionContextInterface as Context,
)


def _encode(asset: dict) -> bytes:
    # Sorted keys, no spaces: every endorser writes the same bytes for the same asset.
    return json.dumps(asset, sort_keys=True, separators=(",", ":")).encode()


class AssetTransfer(Contract):
    Name = "AssetTransfer"

    async def _read(self, ctx: Context, asset_id: str) -> dict:
        data = await ctx.get_stub().get_state(asset_id)
        if not data:
            raise Exception(f"the asset {asset_id} does not exist")
        return json.loads(data)

    async def AssetExists(self, ctx: Context, asset_id: str) -> bool:
        data = await ctx.get_stub().get_state(asset_id)
        return bool(data)

    async def CreateAsset(self, ctx: Context, asset_id: str, color: str, size: int, owner: str, appraised_value: int) -> str:
        if await ctx.get_stub().get_state(asset_id):
            raise Exception(f"the asset {asset_id} already exists")
        asset = {"ID": asset_id, "Color": color, "Size": size, "Owner": owner, "AppraisedValue": appraised_value}
        await ctx.get_stub().put_state(asset_id, _encode(asset))
        return json.dumps(asset, sort_keys=True)

    async def ReadAsset(self, ctx: Context, asset_id: str) -> str:
        return json.dumps(await self._read(ctx, asset_id), sort_keys=True)

    async def UpdateAsset(self, ctx: Context, asset_id: str, color: str, size: int, owner: str, appraised_value: int) -> str:
        await self._read(ctx, asset_id)
        asset = {"ID": asset_id, "Color": color, "Size": size, "Owner": owner, "AppraisedValue": appraised_value}
        await ctx.get_stub().put_state(asset_id, _encode(asset))
        return json.dumps(asset, sort_keys=True)

    async def TransferAsset(self, ctx: Context, asset_id: str, new_owner: str) -> str:
        asset = await self._read(ctx, asset_id)
        previous = asset["Owner"]
        asset["Owner"] = new_owner
        await ctx.get_stub().put_state(asset_id, _encode(asset))
        return previous

    async def DeleteAsset(self, ctx: Context, asset_id: str) -> None:
        await self._read(ctx, asset_id)
        await ctx.get_stub().delete_state(asset_id)

    async def GetAllAssets(self, ctx: Context) -> str:
        assets = []
        results = await ctx.get_stub().get_state_by_range("", "")
        async for record in results:
            assets.append(json.loads(record.value))
        return json.dumps(assets, sort_keys=True)

    async def CreateAssets(self, ctx: Context, prefix: str, count: int) -> int:
        for n in range(int(count)):
            asset = {"ID": f"{prefix}{n:04d}", "Color": "green", "Size": 1, "Owner": "Zoe", "AppraisedValue": n}
            await ctx.get_stub().put_state(asset["ID"], _encode(asset))
        return int(count)

    async def GetAssetsPage(self, ctx: Context, bookmark: str, page_size: int) -> str:
        # The shim's paginated iterator (2.5.4) drops the response's metadata, the bookmark of the
        # next page; so this sends the paginated GET_STATE_BY_RANGE through the shim's handler and
        # reads the first QueryResponse itself (one batch holds a page of up to 100 records).
        stub = ctx.get_stub()
        metadata = chaincode_shim_pb2.QueryMetadata(pageSize=int(page_size), bookmark=bookmark).SerializeToString()
        raw = await stub.client.handle_get_state_by_range("", "", "", stub.channel_id, stub.tx_id, metadata=metadata)
        response = chaincode_shim_pb2.QueryResponse.FromString(raw.payload)
        ids = [json.loads(kv_query_result_pb2.KV.FromString(result.resultBytes).value)["ID"] for result in response.results]
        if response.has_more:
            await stub.client.handle_query_state_close(response.id, stub.channel_id, stub.tx_id)
        page = chaincode_shim_pb2.QueryResponseMetadata.FromString(response.metadata)
        return json.dumps({"ids": ids, "bookmark": page.bookmark, "fetched": page.fetched_records_count}, sort_keys=True)


if __name__ == "__main__":
    # The shim's server falls back to these variables only for arguments it is not given, but
    # start() (2.5.4) always passes key, cert and client_ca_certs on, None included: read them here.
    ContractChaincode.new_chaincode(AssetTransfer()).start(
        key=os.getenv("CORE_TLS_CLIENT_KEY_PATH"),
        cert=os.getenv("CORE_TLS_CLIENT_CERT_PATH"),
        client_ca_certs=os.getenv("CORE_PEER_TLS_ROOTCERT_FILE"),
    )
