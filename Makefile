# fabnet — the targets a newcomer needs. `make up` and `make test` install what is missing first.
SWIFT ?= swift
FABNET = .build/debug/fabnet

.PHONY: deps build test up down bench clean embed

deps:
	@./scripts/install-deps

build: deps
	$(SWIFT) build

## Runs every test (what CI runs: .ci/run).
test: deps
	$(SWIFT) test

## The default network: its crypto material, then what it contains. (`fabnet up` comes with the
## process work; until then this is fabnet's main job.)
up: build
	$(FABNET) crypto generate
	$(FABNET) config show

bench: build
	$(SWIFT) build -c release
	.build/release/fabnet bench crypto

clean:
	rm -rf .build crypto-config/peerOrganizations crypto-config/ordererOrganizations

## Re-embeds configtx/configtx.yaml into the CLI after you edit it.
embed:
	./scripts/embed-default-network
