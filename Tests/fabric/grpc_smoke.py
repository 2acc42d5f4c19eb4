#!/usr/bin/env python3
"""Calls a fabnet gRPC endpoint with Python's grpcio and Hyperledger's own protos, over TLS.

Proves the wire works with the stack Fabric's Python clients use: TLS with ALPN h2, the
orderer.AtomicBroadcast method paths and message encodings.

Usage: grpc_smoke.py HOST:PORT CA.pem [--client-cert CERT.pem --client-key KEY.pem]
                     [--expect-blocks N] [--channel NAME]

Against a server whose ledger has at least N blocks, it:
1. Broadcasts two envelopes and expects two answers, in order (it prints their statuses);
2. Delivers blocks 0..N-1 (SeekInfo oldest → specified N-1) and expects those N blocks, in order,
   then one SUCCESS status.
Prints one line per check and "OK" at the end; exits non-zero on the first failure.
"""

import argparse
import hashlib
import sys
import time

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.orderer import ab_pb2, ab_pb2_grpc
from google.protobuf import timestamp_pb2


def seek_envelope(channel, first, last, tls_cert_hash=b""):
    now = time.time()
    header = common_pb2.ChannelHeader(
        type=common_pb2.DELIVER_SEEK_INFO,
        channel_id=channel,
        timestamp=timestamp_pb2.Timestamp(seconds=int(now), nanos=int((now % 1) * 1e9)),
        tls_cert_hash=tls_cert_hash,
    )
    signature_header = common_pb2.SignatureHeader(creator=b"python-smoke", nonce=b"\x01\x02")
    seek = ab_pb2.SeekInfo(
        start=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=first)),
        stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=last)),
        behavior=ab_pb2.SeekInfo.FAIL_IF_NOT_READY,
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=header.SerializeToString(),
                                 signature_header=signature_header.SerializeToString()),
        data=seek.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString(), signature=b"unchecked")


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address")
    parser.add_argument("ca")
    parser.add_argument("--client-cert")
    parser.add_argument("--client-key")
    parser.add_argument("--expect-blocks", type=int, default=3)
    parser.add_argument("--channel", default="mychannel")
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()

    with open(args.ca, "rb") as f:
        roots = f.read()
    chain = key = None
    cert_hash = b""
    if args.client_cert:
        with open(args.client_cert, "rb") as f:
            chain = f.read()
        with open(args.client_key, "rb") as f:
            key = f.read()
        from ssl import PEM_cert_to_DER_cert
        cert_hash = hashlib.sha256(PEM_cert_to_DER_cert(chain.decode())).digest()
    credentials = grpc.ssl_channel_credentials(root_certificates=roots, private_key=key, certificate_chain=chain)

    with grpc.secure_channel(args.address, credentials) as channel:
        grpc.channel_ready_future(channel).result(timeout=args.timeout)
        print("connected over TLS (ALPN h2)")
        stub = ab_pb2_grpc.AtomicBroadcastStub(channel)

        envelopes = [common_pb2.Envelope(payload=b"py-1"), common_pb2.Envelope(payload=b"py-2")]
        answers = list(stub.Broadcast(iter(envelopes), timeout=args.timeout))
        if len(answers) != 2:
            fail(f"Broadcast answered {len(answers)} responses to 2 envelopes")
        print("Broadcast:", ", ".join(f"{common_pb2.Status.Name(a.status)} {a.info!r}" for a in answers))

        last = args.expect_blocks - 1
        responses = list(stub.Deliver(iter([seek_envelope(args.channel, 0, last, cert_hash)]), timeout=args.timeout))
        numbers = [r.block.header.number for r in responses if r.WhichOneof("Type") == "block"]
        statuses = [r.status for r in responses if r.WhichOneof("Type") == "status"]
        if numbers != list(range(args.expect_blocks)):
            fail(f"Deliver sent blocks {numbers}, expected 0..{last}")
        if statuses != [common_pb2.SUCCESS]:
            fail(f"Deliver ended with statuses {[common_pb2.Status.Name(s) for s in statuses]}, expected [SUCCESS]")
        print(f"Deliver: blocks {numbers}, then SUCCESS")
    print("OK")


if __name__ == "__main__":
    main()
