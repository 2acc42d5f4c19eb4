# fabnet — the targets a newcomer needs. `make up` and `make test` install what is missing first.
SWIFT ?= swift
FABNET = .build/debug/fabnet

.PHONY: deps build test up down bench fuzz clean embed protos fabric-venv fabric-check fabric-vectors fabric-config-check release install man completions check-static

deps:
	@./scripts/install-deps

build: deps
	$(SWIFT) build

## Runs every test (what CI runs: .ci/run). One test at a time: on 2 cores the multi-process
## tests, run in parallel, starved each other past their handshake deadlines (2.5 min either way).
test: deps fabric-check
	@./scripts/install-deps --tests
	$(SWIFT) test --no-parallel

## Checks FabricWire's .proto files against Hyperledger's own descriptors (the official
## hyperledger-fabric-protos from PyPI, in .venv-fabric/): same names, numbers, types, services;
## and that FabricWireTests' byte vectors are what the official protos make today.
FABRIC_VECTORS = Tests/FabricWireTests/Fixtures/fabric-vectors.json
fabric-check: deps fabric-venv
	$(FABRIC_VENV)/bin/python Tests/fabric/check_protos.py
	@$(FABRIC_VENV)/bin/python Tests/fabric/make_vectors.py | cmp -s - $(FABRIC_VECTORS) \
	  || { echo "$(FABRIC_VECTORS) differs from what Tests/fabric/make_vectors.py writes (make fabric-vectors)"; exit 1; }
	@echo "$(FABRIC_VECTORS) is what the official protos make"

## Builds the default network's block-0 config envelope (FabnetClientTests writes it when
## FABNET_CONFIG_ENVELOPE_OUT is set) and decodes its whole tree with the official Python protos.
CONFIG_ENVELOPE = .build/fabric-check/config-envelope.pb
fabric-config-check: fabric-venv
	mkdir -p $(dir $(CONFIG_ENVELOPE))
	rm -f $(CONFIG_ENVELOPE)
	FABNET_CONFIG_ENVELOPE_OUT=$(abspath $(CONFIG_ENVELOPE)) $(SWIFT) test --filter ChannelConfigBuilderTests/writesTheEnvelopeForThePythonCheck
	$(FABRIC_VENV)/bin/python Tests/fabric/check_config_block.py $(CONFIG_ENVELOPE)

## Re-writes FabricWireTests' byte vectors with the official Python protos (commit the result).
fabric-vectors: fabric-venv
	$(FABRIC_VENV)/bin/python Tests/fabric/make_vectors.py > $(FABRIC_VECTORS)

## The Python set for the Fabric checks, pinned in Tests/fabric/requirements.txt.
FABRIC_VENV = .venv-fabric
fabric-venv: $(FABRIC_VENV)/.installed
$(FABRIC_VENV)/.installed: Tests/fabric/requirements.txt
	rm -rf $(FABRIC_VENV)
	python3 -m venv $(FABRIC_VENV)
	$(FABRIC_VENV)/bin/pip install -q --disable-pip-version-check -r Tests/fabric/requirements.txt
	touch $@

## The default network on 127.0.0.1: crypto, orderer, four peers, mychannel; then its logs
## (Ctrl-C stops it). `make up ARGS=-d` returns once ready; `make down` stops it.
up: build
	$(FABNET) up $(ARGS)

down:
	$(FABNET) down

## A release build with the Swift runtime linked in: runs on Debian 12 with libssl3 and no
## Swift toolchain (`make check-static` proves it). Nodes are this same executable, so a static
## binary also starts each node process faster (no dynamic loading of the Swift libraries), and
## Package.swift links it position-dependent (no relocations to apply at each node's start).
RELEASE_FLAGS = -c release --static-swift-stdlib
RELEASE_BIN = .build/release/fabnet
release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product fabnet

## No libswift* among the release binary's shared libraries (outside CI: a release build).
check-static: release
	@if ldd $(RELEASE_BIN) | grep -Eq 'libswift|Foundation|libdispatch|BlocksRuntime|not found'; then ldd $(RELEASE_BIN); echo "$(RELEASE_BIN) links the Swift runtime dynamically (or misses a library)"; exit 1; fi
	@ldd $(RELEASE_BIN)
	@echo "$(RELEASE_BIN): no libswift* among its shared libraries"

## The man page (swift-argument-parser's generate-manual over the release binary) and the
## bash, zsh and fish completions, under .build/share/.
SHARE = .build/share
man: release
	$(SWIFT) build --product generate-manual
	mkdir -p $(SHARE)/man/man1
	.build/debug/generate-manual $(RELEASE_BIN) -o $(SHARE)/man/man1

completions: release
	mkdir -p $(SHARE)/bash-completion/completions $(SHARE)/zsh/site-functions $(SHARE)/fish/vendor_completions.d
	$(RELEASE_BIN) --generate-completion-script bash > $(SHARE)/bash-completion/completions/fabnet
	$(RELEASE_BIN) --generate-completion-script zsh > $(SHARE)/zsh/site-functions/_fabnet
	$(RELEASE_BIN) --generate-completion-script fish > $(SHARE)/fish/vendor_completions.d/fabnet.fish

## Installs the binary, its man page and completions under PREFIX (default /usr/local):
## `make install PREFIX=$HOME/.local`.
PREFIX ?= /usr/local
install: release man completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share
	install -m 755 -s $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/fabnet
	cp -R $(SHARE)/. $(DESTDIR)$(PREFIX)/share/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/fabnet, its man page (man fabnet) and bash/zsh/fish completions"

bench: release
	$(RELEASE_BIN) bench crypto

## Fuzzing, outside CI: an instrumented build (libFuzzer and AddressSanitizer) in .build-fuzz,
## then every target (or TARGETS="frame-decoder …") for SECONDS each (scripts/fuzz says more).
## `swift test` replays Fuzz/corpus/ through the same entry points.
FUZZ_SECONDS = $(if $(SECONDS),$(SECONDS),600)
fuzz:
	./scripts/fuzz $(FUZZ_SECONDS) $(TARGETS)

clean:
	rm -rf .build crypto-config/peerOrganizations crypto-config/ordererOrganizations

## Re-embeds configtx/configtx.yaml into the CLI after you edit it.
embed:
	./scripts/embed-default-network

## Regenerates Sources/FabnetWire/Generated from Sources/FabnetWire/Protos, and
## Sources/FabricWire/Generated (messages and gRPC stubs) from Sources/FabricWire/Protos; the
## output is committed. Needs protoc (Debian's protobuf-compiler, installed by scripts/install-deps);
## builds protoc-gen-swift from the swift-protobuf checkout SwiftPM already made, into
## .build-protoc/, and protoc-gen-grpc-swift-2 from the grpc-swift-protobuf checkout, into
## .build-protoc-grpc/ (about 10 minutes each the first time).
PROTO_DIR = Sources/FabnetWire/Protos
PROTO_OUT = Sources/FabnetWire/Generated
FABRIC_PROTO_DIR = Sources/FabricWire/Protos
FABRIC_PROTO_OUT = Sources/FabricWire/Generated
SWIFT_PLUGIN = $(CURDIR)/.build-protoc/release/protoc-gen-swift
GRPC_PLUGIN = $(CURDIR)/.build-protoc-grpc/release/protoc-gen-grpc-swift-2
protos: deps
	$(SWIFT) package resolve
	$(SWIFT) build -c release --package-path .build/checkouts/swift-protobuf --product protoc-gen-swift --scratch-path .build-protoc
	$(SWIFT) build -c release --package-path .build/checkouts/grpc-swift-protobuf --product protoc-gen-grpc-swift-2 --scratch-path .build-protoc-grpc
	rm -f $(PROTO_OUT)/*.pb.swift
	protoc --plugin=protoc-gen-swift=$(SWIFT_PLUGIN) --swift_opt=Visibility=Public \
	  --swift_out=$(PROTO_OUT) -I $(PROTO_DIR) $(PROTO_DIR)/*.proto
	rm -f $(FABRIC_PROTO_OUT)/*.swift
	cd $(FABRIC_PROTO_DIR) && protoc -I . --plugin=protoc-gen-swift=$(SWIFT_PLUGIN) \
	  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores --swift_out=$(CURDIR)/$(FABRIC_PROTO_OUT) \
	  $$(find . -name '*.proto' | sed 's|^\./||' | sort)
	cd $(FABRIC_PROTO_DIR) && protoc -I . --plugin=protoc-gen-grpc-swift=$(GRPC_PLUGIN) \
	  --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores,Client=true,Server=true \
	  --grpc-swift_out=$(CURDIR)/$(FABRIC_PROTO_OUT) \
	  $$(grep -rl --include='*.proto' '^service ' . | sed 's|^\./||' | sort)
