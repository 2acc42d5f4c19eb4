# fabnet — the targets a newcomer needs. `make up` and `make test` install what is missing first.
SWIFT ?= swift
FABNET = .build/debug/fabnet

.PHONY: deps build test up down bench clean embed protos

deps:
	@./scripts/install-deps

build: deps
	$(SWIFT) build

## Runs every test (what CI runs: .ci/run). One test at a time: on 2 cores the multi-process
## tests, run in parallel, starved each other past their handshake deadlines (2.5 min either way).
test: deps
	$(SWIFT) test --no-parallel

## The default network on 127.0.0.1: crypto, orderer, four peers, mychannel; then its logs
## (Ctrl-C stops it). `make up ARGS=-d` returns once ready; `make down` stops it.
up: build
	$(FABNET) up $(ARGS)

down:
	$(FABNET) down

bench: build
	$(SWIFT) build -c release
	.build/release/fabnet bench crypto

clean:
	rm -rf .build crypto-config/peerOrganizations crypto-config/ordererOrganizations

## Re-embeds configtx/configtx.yaml into the CLI after you edit it.
embed:
	./scripts/embed-default-network

## Regenerates Sources/FabnetWire/Generated from Sources/FabnetWire/Protos (the output is committed).
## Needs protoc (Debian's protobuf-compiler); builds protoc-gen-swift from the swift-protobuf
## checkout SwiftPM already made, into .build-protoc/ (about 10 minutes the first time).
PROTO_DIR = Sources/FabnetWire/Protos
PROTO_OUT = Sources/FabnetWire/Generated
protos:
	@command -v protoc >/dev/null || { echo "installing protobuf-compiler"; sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; $$sudo apt-get install -y -qq protobuf-compiler; }
	$(SWIFT) package resolve
	$(SWIFT) build -c release --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift --scratch-path .build-protoc
	rm -f $(PROTO_OUT)/*.pb.swift
	protoc --plugin=protoc-gen-swift=.build-protoc/release/protoc-gen-swift --swift_opt=Visibility=Public \
	  --swift_out=$(PROTO_OUT) -I $(PROTO_DIR) $(PROTO_DIR)/*.proto
