#!/usr/bin/env python3
"""Checks fabnet's Fabric .proto files against Hyperledger's own descriptors.

fabnet writes its own .proto files for Fabric's wire formats (Sources/FabricWire/Protos). This
script compiles them with protoc into a descriptor set and compares every message, enum and
service they define with the descriptor of the same full name in the official
`hyperledger-fabric-protos` package from PyPI:

- the definition lives in the file of the same path (common/common.proto, ...) and proto syntax;
- each of our fields exists there with the same number, type, label, type name, oneof and
  proto3-optional flag (and json name, where both descriptors record one); each official field is ours too, unless OMITTED says why not;
- each enum value has the same number; every official value is ours;
- each service method has the same input and output types and streaming flags; every official
  method is ours, unless OMITTED says why not.

Prints one line per mismatch (and one per documented omission), then "N passed, M failed";
exits non-zero when anything failed. Usage: check_protos.py [--protoc PROTOC] [--protos DIR].
"""

import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2

# Official fields and methods our files leave out on purpose: full name → reason.
OMITTED = {
    "protos.DeliverResponse.block_and_private_data": "private data: not used by fabnet",
    "protos.Deliver.DeliverWithPrivateData": "private data: not used by fabnet",
}

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPES = {v: k[5:].lower() for k, v in descriptor_pb2.FieldDescriptorProto.Type.items()}
LABELS = {v: k[6:].lower() for k, v in descriptor_pb2.FieldDescriptorProto.Label.items()}


def compile_ours(protoc, proto_dir):
    """Runs protoc on every .proto under proto_dir; returns our FileDescriptorProtos by path."""
    files = sorted(
        os.path.relpath(os.path.join(root, name), proto_dir)
        for root, _, names in os.walk(proto_dir)
        for name in names
        if name.endswith(".proto")
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "fabricwire.pb")
        subprocess.run(
            [protoc, "-I", proto_dir, "--include_imports", f"--descriptor_set_out={out}", *files],
            check=True,
        )
        fds = descriptor_pb2.FileDescriptorSet()
        with open(out, "rb") as f:
            fds.ParseFromString(f.read())
    return {fd.name: fd for fd in fds.file if fd.name in files}


def official_files():
    """Imports every *_pb2 module of fabric_protos; returns their FileDescriptorProtos by path."""
    import fabric_protos

    result = {}
    for info in pkgutil.walk_packages(fabric_protos.__path__, "fabric_protos."):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(info.name)
        fd = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(fd)
        result[fd.name] = fd
    return result


def index(files):
    """Maps full names of messages, enums and services to (kind, descriptor, file)."""
    table = {}

    def add_messages(messages, prefix, fd):
        for m in messages:
            name = f"{prefix}.{m.name}"
            table[name] = ("message", m, fd)
            add_messages(m.nested_type, name, fd)
            for e in m.enum_type:
                table[f"{name}.{e.name}"] = ("enum", e, fd)

    for fd in files.values():
        prefix = fd.package
        add_messages(fd.message_type, prefix, fd)
        for e in fd.enum_type:
            table[f"{prefix}.{e.name}"] = ("enum", e, fd)
        for s in fd.service:
            table[f"{prefix}.{s.name}"] = ("service", s, fd)
    return table


def field_shape(message, field):
    """The properties of a field that must agree."""
    oneof = None
    if field.HasField("oneof_index") and not field.proto3_optional:
        oneof = message.oneof_decl[field.oneof_index].name
    return {
        "number": field.number,
        "type": TYPES[field.type],
        "label": LABELS[field.label],
        "type_name": field.type_name,
        "json_name": field.json_name if field.HasField("json_name") else None,
        "oneof": oneof,
        "proto3_optional": field.proto3_optional,
    }


def compare_message(name, ours, theirs, report):
    theirs_fields = {f.name: f for f in theirs.field}
    ours_fields = {f.name: f for f in ours.field}
    for field in ours.field:
        other = theirs_fields.get(field.name)
        if other is None:
            report(f"{name}.{field.name}: no such field in Fabric's {name}")
            continue
        mine, official = field_shape(ours, field), field_shape(theirs, other)
        for key, value in mine.items():
            if key == "json_name" and (value is None or official[key] is None):
                continue  # the packaged descriptors leave json_name out
            if value != official[key]:
                report(f"{name}.{field.name}: {key} is {value!r}, Fabric has {official[key]!r}")
    for field in theirs.field:
        if field.name not in ours_fields:
            full = f"{name}.{field.name}"
            if full in OMITTED:
                report(f"{full}: omitted ({OMITTED[full]})", omission=True)
            else:
                report(f"{full}: Fabric's field {field.number} is missing")
    if ours.options.map_entry != theirs.options.map_entry:
        report(f"{name}: map_entry differs")


def compare_enum(name, ours, theirs, report):
    official = {v.name: v.number for v in theirs.value}
    mine = {v.name: v.number for v in ours.value}
    for value, number in mine.items():
        if value not in official:
            report(f"{name}.{value}: no such value in Fabric's {name}")
        elif official[value] != number:
            report(f"{name}.{value}: number is {number}, Fabric has {official[value]}")
    for value in official:
        if value not in mine:
            report(f"{name}.{value}: Fabric's value {official[value]} is missing")


def compare_service(name, ours, theirs, report):
    official = {m.name: m for m in theirs.method}
    mine = {m.name: m for m in ours.method}
    for method in ours.method:
        other = official.get(method.name)
        if other is None:
            report(f"{name}/{method.name}: no such method in Fabric's {name}")
            continue
        for key in ("input_type", "output_type", "client_streaming", "server_streaming"):
            if getattr(method, key) != getattr(other, key):
                report(f"{name}/{method.name}: {key} is {getattr(method, key)!r}, "
                       f"Fabric has {getattr(other, key)!r}")
    for method in official:
        if method not in mine:
            full = f"{name}.{method}"
            if full in OMITTED:
                report(f"{full}: omitted ({OMITTED[full]})", omission=True)
            else:
                report(f"{name}/{method}: Fabric's method is missing")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protoc", default="protoc")
    parser.add_argument("--protos", default=os.path.join(REPO, "Sources/FabricWire/Protos"))
    args = parser.parse_args()

    ours = index(compile_ours(args.protoc, args.protos))
    theirs = index(official_files())
    compare = {"message": compare_message, "enum": compare_enum, "service": compare_service}
    passed = failed = omissions = 0
    for name in sorted(ours):
        kind, mine, my_file = ours[name]
        problems = []

        def report(line, omission=False):
            nonlocal omissions
            if omission:
                omissions += 1
                print(f"note: {line}")
            else:
                problems.append(line)

        if name not in theirs:
            problems.append(f"{name}: Fabric defines no {kind} of that name")
        else:
            other_kind, official, official_file = theirs[name]
            if other_kind != kind:
                problems.append(f"{name}: ours is a {kind}, Fabric's is a {other_kind}")
            else:
                if my_file.name != official_file.name:
                    problems.append(f"{name}: in {my_file.name}, Fabric has it in {official_file.name}")
                if my_file.syntax != official_file.syntax:
                    problems.append(f"{name}: syntax {my_file.syntax}, Fabric's is {official_file.syntax}")
                compare[kind](name, mine, official, report)
        for line in problems:
            print(f"MISMATCH {line}")
        if problems:
            failed += 1
        else:
            passed += 1
    print(f"checked {passed + failed} definitions against fabric_protos; {omissions} documented omissions")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
