#!/usr/bin/env python3
"""Checks a channel's config envelope (block 0's transaction) with Hyperledger's own protos.

Reads the serialized `common.Envelope` at the path given, decodes its `Payload`, checks the
channel header is a CONFIG header, decodes the `ConfigEnvelope`, and walks the whole config tree:

- every `MSP` value decodes as `msp.MSPConfig` of type 0 whose config decodes as
  `msp.FabricMSPConfig` with a name and root certificates;
- every policy decodes as its declared type (SIGNATURE → `common.SignaturePolicyEnvelope` with
  every signed_by index in range and every principal a `common.MSPRole`; IMPLICIT_META →
  `common.ImplicitMetaPolicy`);
- the Orderer group's `BatchSize`, `BatchTimeout` and `ConsensusType`, the channel's
  `HashingAlgorithm`, `BlockDataHashingStructure`, `OrdererAddresses`, every `Capabilities`,
  `AnchorPeers` and `Endpoints` decode as their types, with no unknown fields anywhere; an
  etcdraft `ConsensusType`'s metadata decodes as `etcdraft.ConfigMetadata` with PEM consenters.

Prints one line per failure, then "N passed, M failed"; exits non-zero when anything failed.
Usage: check_config_block.py ENVELOPE_FILE
"""

import sys

from google.protobuf import unknown_fields

from fabric_protos.common import common_pb2, configtx_pb2, configuration_pb2, policies_pb2
from fabric_protos.msp import msp_config_pb2, msp_principal_pb2
from fabric_protos.orderer import configuration_pb2 as orderer_configuration_pb2
from fabric_protos.orderer.etcdraft import configuration_pb2 as etcdraft_configuration_pb2
from fabric_protos.peer import configuration_pb2 as peer_configuration_pb2

VALUE_TYPES = {
    "HashingAlgorithm": configuration_pb2.HashingAlgorithm,
    "BlockDataHashingStructure": configuration_pb2.BlockDataHashingStructure,
    "OrdererAddresses": configuration_pb2.OrdererAddresses,
    "Endpoints": configuration_pb2.OrdererAddresses,
    "Capabilities": configuration_pb2.Capabilities,
    "BatchSize": orderer_configuration_pb2.BatchSize,
    "BatchTimeout": orderer_configuration_pb2.BatchTimeout,
    "ConsensusType": orderer_configuration_pb2.ConsensusType,
    "ChannelRestrictions": orderer_configuration_pb2.ChannelRestrictions,
    "AnchorPeers": peer_configuration_pb2.AnchorPeers,
    "MSP": msp_config_pb2.MSPConfig,
}
REQUIRED_ORDERER_VALUES = ["BatchSize", "BatchTimeout", "ConsensusType", "ChannelRestrictions"]


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL {what}")
        return ok

    def decode(self, message_type, data, what):
        """Parses data as message_type; a failure or unknown fields count as a failure."""
        message = message_type()
        try:
            message.ParseFromString(data)
        except Exception as error:  # the protobuf runtime raises DecodeError and friends
            self.check(False, f"{what}: does not decode as {message_type.DESCRIPTOR.full_name}: {error}")
            return None
        if not self.check(not has_unknown_fields(message), f"{what}: {message_type.DESCRIPTOR.full_name} has unknown fields"):
            return None
        return message

    def msp(self, config, path):
        if not self.check(config.type == 0, f"{path}: MSP type {config.type} is not 0 (Fabric)"):
            return
        fabric = self.decode(msp_config_pb2.FabricMSPConfig, config.config, f"{path} config")
        if fabric is None:
            return
        self.check(fabric.name != "", f"{path}: FabricMSPConfig has no name")
        self.check(len(fabric.root_certs) > 0, f"{path}: FabricMSPConfig has no root certificates")
        for cert in list(fabric.root_certs) + list(fabric.tls_root_certs):
            self.check(cert.startswith(b"-----BEGIN CERTIFICATE-----"), f"{path}: a root certificate is not PEM")
        if fabric.HasField("fabric_node_ous") and fabric.fabric_node_ous.enable:
            ous = fabric.fabric_node_ous
            for role in ["client", "peer", "admin", "orderer"]:
                identifier = getattr(ous, f"{role}_ou_identifier")
                self.check(identifier.organizational_unit_identifier == role, f"{path}: NodeOU {role} is '{identifier.organizational_unit_identifier}'")

    def etcdraft(self, metadata, path):
        raft = self.decode(etcdraft_configuration_pb2.ConfigMetadata, metadata, f"{path} metadata")
        if raft is None:
            return
        self.check(len(raft.consenters) > 0, f"{path}: etcdraft metadata has no consenters")
        for consenter in raft.consenters:
            self.check(consenter.host != "" and consenter.port > 0, f"{path}: a consenter has no host or port")
            for cert in [consenter.client_tls_cert, consenter.server_tls_cert]:
                self.check(cert.startswith(b"-----BEGIN CERTIFICATE-----"), f"{path}: consenter {consenter.host} TLS certificate is not PEM")
        self.check(raft.options.tick_interval != "", f"{path}: etcdraft options have no tick interval")

    def policy(self, config_policy, path):
        policy = config_policy.policy
        if policy.type == policies_pb2.Policy.SIGNATURE:
            envelope = self.decode(policies_pb2.SignaturePolicyEnvelope, policy.value, path)
            if envelope is None:
                return
            for index, principal in enumerate(envelope.identities):
                if self.check(principal.principal_classification == msp_principal_pb2.MSPPrincipal.ROLE,
                              f"{path}: identity {index} is not a role principal"):
                    self.decode(msp_principal_pb2.MSPRole, principal.principal, f"{path} identity {index}")
            self.check(indices_in_range(envelope.rule, len(envelope.identities)), f"{path}: a signed_by index is out of range")
        elif policy.type == policies_pb2.Policy.IMPLICIT_META:
            meta = self.decode(policies_pb2.ImplicitMetaPolicy, policy.value, path)
            if meta is not None:
                self.check(meta.sub_policy != "", f"{path}: ImplicitMetaPolicy has no sub-policy")
        else:
            self.check(False, f"{path}: policy type {policy.type} is neither SIGNATURE (1) nor IMPLICIT_META (3)")

    def group(self, group, path):
        for key, value in sorted(group.values.items()):
            value_type = VALUE_TYPES.get(key)
            if not self.check(value_type is not None, f"{path}/{key}: a value this check does not know"):
                continue
            message = self.decode(value_type, value.value, f"{path}/{key}")
            if message is not None and key == "MSP":
                self.msp(message, f"{path}/{key}")
            if message is not None and key == "ConsensusType" and message.type == "etcdraft":
                self.etcdraft(message.metadata, f"{path}/{key}")
        for key, policy in sorted(group.policies.items()):
            self.policy(policy, f"{path}/{key}")
        for key, child in sorted(group.groups.items()):
            self.group(child, f"{path}/{key}")


def has_unknown_fields(message):
    if len(unknown_fields.UnknownFieldSet(message)) > 0:
        return True
    for field, value in message.ListFields():
        if field.type == field.TYPE_MESSAGE:
            items = value.values() if field.message_type.GetOptions().map_entry else (value if field.label == field.LABEL_REPEATED else [value])
            if any(has_unknown_fields(item) for item in items if hasattr(item, "ListFields")):
                return True
    return False


def indices_in_range(rule, count):
    if rule.HasField("signed_by"):
        return 0 <= rule.signed_by < count
    return all(indices_in_range(child, count) for child in rule.n_out_of.rules)


def check_envelope(data, checker):
    """Walks a config envelope's bytes with the official protos, counting in `checker`."""
    envelope = checker.decode(common_pb2.Envelope, data, "envelope")
    payload = None if envelope is None else checker.decode(common_pb2.Payload, envelope.payload, "payload")
    if payload is not None:
        header = checker.decode(common_pb2.ChannelHeader, payload.header.channel_header, "channel header")
        if header is not None:
            checker.check(header.type == common_pb2.CONFIG, f"channel header type {header.type} is not CONFIG (1)")
            checker.check(header.channel_id != "", "channel header has no channel_id")
        checker.decode(common_pb2.SignatureHeader, payload.header.signature_header, "signature header")
        config_envelope = checker.decode(configtx_pb2.ConfigEnvelope, payload.data, "config envelope")
        if config_envelope is not None:
            channel = config_envelope.config.channel_group
            if checker.check("Orderer" in channel.groups, "/Channel has no Orderer group"):
                for key in REQUIRED_ORDERER_VALUES:
                    checker.check(key in channel.groups["Orderer"].values, f"/Channel/Orderer has no {key}")
            checker.group(channel, "/Channel")
    return checker


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as handle:
        data = handle.read()
    checker = check_envelope(data, Checker())
    print(f"{checker.passed} passed, {checker.failed} failed")
    return 1 if checker.failed else 0


if __name__ == "__main__":
    sys.exit(main())
