# Collector Stash Market — everything runs inside a Debian 13 toolbox (a
# chroot built once by scripts/toolbox.sh, kept outside the checkout), so the
# host needs only Go, make and root. See README.md.

SHELL      := /bin/bash
TOOLBOX    := scripts/toolbox.sh
IN         := $(TOOLBOX) exec
ADDR       ?= :8000
DATASETS   ?=
GO_TEST    ?= -count=1 -p 2 -timeout 30m
FUZZTIME   ?= 10s

.PHONY: all toolbox services stop deps build run test vet fuzz image image-test chaos bench-collection bench-marketplace bench-catalogue bench-search bench-auth bench-scan bench-scan-sessions bench-recognition bench-retrain bench-embed train-set train-model train-model-v3 clean

all: build

toolbox:                     ## build the Debian 13 rootfs once (cached by package list)
	@$(TOOLBOX) ensure

services: toolbox            ## start Postgres 17 + pgvector (:55432) and Redis (:56379)
	@$(TOOLBOX) services-up

stop:                        ## stop the services
	@$(TOOLBOX) services-down

deps:                        ## download Go modules on the host (the toolbox has no HTTPS)
	@go mod download

build: toolbox deps          ## build bin/csm inside the toolbox
	@$(IN) go build -o bin/csm ./cmd/csm

run: services build          ## migrate, load the demo catalogue (or DATASETS=path), serve :8000 with a worker
	@$(IN) bin/csm migrate
	@$(IN) bin/csm demo
	@if [ -n "$(DATASETS)" ]; then CSM_BIND="$(abspath $(DATASETS))" $(IN) bin/csm import all "$(abspath $(DATASETS))"; fi
	@$(IN) bin/csm index
	@echo
	@echo "  API         http://localhost:8000/api/v2/stats"
	@echo "  Games       http://localhost:8000/api/v2/games"
	@echo "  Card        http://localhost:8000/api/v2/cards/441076"
	@echo "  Health      http://localhost:8000/health"
	@echo "  Scan PWA    http://localhost:8000/scan-pwa"
	@echo "  Recognise   (sign up once: see README, Recognition)"
	@echo "              curl -c cookies.txt -X POST http://localhost:8000/auth/register -H 'Content-Type: application/json' \\"
	@echo "                -d '{\"username\":\"demo-1\",\"email\":\"demo-1@example.com\",\"password\":\"hunter2hunter2\"}'"
	@echo "              curl -b cookies.txt -X POST http://localhost:8000/api/cards/recognize -F image=@demo/photos/charizard.jpg -F tcg_slug=pokemon"
	@echo
	@CSM_ADDR=$(ADDR) $(IN) bin/csm serve --with-worker

vet: toolbox deps
	@$(IN) go vet ./...

test: services deps vet      ## every test, against the real services
	@$(IN) go test $(GO_TEST) ./...

fuzz: services deps          ## run every fuzz target for FUZZTIME each
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(IN) go test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; done

BENCH_POINTS ?= 50000000
bench-catalogue: services build  ## ingest rate at BENCH_POINTS points, then API latency vs hello-world
	@CSM_BENCH_POINTS=$(BENCH_POINTS) $(IN) go run ./cmd/bench-catalogue

bench-search: services build  ## /api/search p95 over the demo + real catalogue (DATASETS, default ../shared/datasets if present) + CSM_BENCH_SEARCH_CARDS synthetic cards (500k) vs the 30 ms target
	@ds="$(DATASETS)"; [ -n "$$ds" ] || { [ -d ../shared/datasets ] && ds=../shared/datasets; }; \
	 if [ -n "$$ds" ]; then ds=$$(cd "$$ds" && pwd); fi; \
	 CSM_BIND="$$ds" CSM_DATASETS="$$ds" $(IN) go run ./cmd/bench-search

bench-auth: services build   ## latency the Redis rate limiter (and key auth) add per request, vs the same route unauthenticated
	@$(IN) go run ./cmd/bench-auth

bench-scan: services build  ## per-stage recognition timings for one photo on one core
	@$(IN) go run ./cmd/bench-scan

bench-scan-sessions: services build  ## scan sessions: phone upload → desktop SSE event latency p50/p99 (target p99 ≤ 50 ms)
	@$(IN) go run ./cmd/bench-scan-sessions

# bench-recognition: GALLERY is a comma list of labelled image directories
# (default: the real Yu-Gi-Oh! images when ../shared is there); the synthetic
# catalogue fills the gallery up to CARDS. N/N_HARD/N_REALRES are the single-card
# photos of the normal, hard and real-resolution tiers, UNSEEN the extra
# never-trained synthetic cards; BINDERS/TABLES/DENSE size the multi-card photos.
comma      := ,
YGO_IMAGES := $(abspath ../shared/datasets/images/yugioh)
GALLERY    ?= $(if $(wildcard $(YGO_IMAGES)),$(YGO_IMAGES))
SEED       ?= 1
N          ?= 200
N_HARD     ?= $(N)
N_REALRES  ?= 100
UNSEEN     ?= 300
BINDERS    ?= 20
TABLES     ?= 20
DENSE      ?= 10
CARDS      ?= 10000
bench-recognition: services build  ## recognition on unseen cards first (normal/hard/real-res tiers; artwork, edition, buckets), multi-card (binder, table, dense), latency on 1 core, photos/s on 2, pHash baseline
	@CSM_BIND="$(subst $(comma),:,$(GALLERY))" $(IN) go run ./cmd/bench-recognition -seed $(SEED) -n $(N) -n-hard $(N_HARD) -n-realres $(N_REALRES) -unseen-cards $(UNSEEN) -binders $(BINDERS) -tables $(TABLES) -dense $(DENSE) \
	  -cards $(CARDS) $(if $(GALLERY),-gallery "$(GALLERY)") -ygo-meta "$(abspath ../shared/datasets/yugioh)" \
	  -compare-model models/card-embed-v1.onnx

# train-set: the directory models/train.py trains card-embed-v2/v3 on — one
# rendered face per artwork of the bench's 10,000-card synthetic catalogue
# (seed 1) plus the real Yu-Gi-Oh! images as ygo_<passcode>.jpg.
TRAIN_DIR  ?= /tmp/csm-train-v2
train-set: services build  ## write the card-embedding train set to TRAIN_DIR (needs ../shared for the YGO images)
	@$(IN) go run ./cmd/bench-recognition -cards 10000 -seed 1 -train-set $(TRAIN_DIR)
	@CSM_BIND="$(YGO_IMAGES)" $(IN) sh -c 'for f in $(YGO_IMAGES)/*.jpg; do ln -f "$$f" $(TRAIN_DIR)/ygo_$$(basename "$$f") 2>/dev/null || cp "$$f" $(TRAIN_DIR)/ygo_$$(basename "$$f"); done'

# train-model: the committed card-embed-v2 — metric learning on synthesized
# photos (CPU, ~10 min idle); its held-out cards are in its json's
# heldout_labels.
train-model: train-set  ## retrain models/card-embed-v2 from scratch
	@$(IN) python3 models/train.py --data $(TRAIN_DIR) --out models/card-embed-v2 --version card-embed-v2 --time-budget 24

# train-model-v3: card-embed-v3 — v2's weights trained on with the phone
# effects of --aug v3 (sleeves, clipped glare, fingers, low resolution, low
# JPEG, half the batch at strength 1.4), v2's held-out cards still held out,
# and both models measured on the same held-out queries (--compare).
train-model-v3: train-set  ## train models/card-embed-v3 (continues v2; same held-out cards)
	@$(IN) python3 models/train.py --data $(TRAIN_DIR) --out models/card-embed-v3 --version card-embed-v3 \
	  --heldout-from models/card-embed-v2.json --warm-start models/card-embed-v2.onnx --lr 3e-4 --aug v3 --train-strength 1.0,1.4 \
	  --steps 1500 --time-budget 35 --val-views 1 --eval-every 0 --compare models/card-embed-v2.onnx --ref-out /tmp/csm-v3-reference_embeddings.json

# bench-embed: the embedding models on cards none of them trained on, through
# synthetic photos, the real detector/rectifier and the Go embedder.
EMBED_CARDS ?= 300
bench-embed: train-set  ## card-embedding models on unseen cards (normal/hard top-1 vs targets, latency per crop)
	@$(IN) go run ./cmd/bench-embed -data $(TRAIN_DIR) -cards $(EMBED_CARDS) -seed $(SEED) \
	  -model models/card-embed-v2.onnx$(if $(wildcard models/card-embed-v3.onnx),$(comma)models/card-embed-v3.onnx)

# bench-retrain: simulate SIM confirmed scans of a harder photo distribution,
# fine-tune on them, promote only if better, and report before/after on
# held-out photos of that distribution (gallery: demo + the YGO images).
SIM        ?= 300
bench-retrain: services build  ## feedback retraining loop: simulated confirmed scans → fine-tune → promote if better, before/after figures
	@CSM_BIND="$(subst $(comma),:,$(GALLERY))" $(IN) bin/csm retrain --simulate $(SIM) --test-photos 150 \
	  --gallery demo$(if $(GALLERY),$(comma)$(GALLERY)) --steps 300 --time-budget 4

bench-collection: services deps  ## portfolio value of 10,000 entries p50/p95 (≤ 50 ms) and a 100k-price import against 1M armed price alerts
	@$(IN) go run ./cmd/bench-collection

bench-marketplace: services deps  ## marketplace: browse p50/p95 over 1M listings, listing create, buy-now race over 2 API servers
	@$(IN) go run ./cmd/bench-marketplace

bench-realtime: services deps  ## WebSocket subscribers held and price_update fan-out latency p50/p99 (CSM_BENCH_CONNS=10000)
	@$(IN) go run ./cmd/bench-realtime

image:                       ## build docker/Dockerfile with podman (installed if missing) from a debootstrap base, no registry needed
	@scripts/image.sh build

image-test: services         ## mount the built image and start its csm serve in a chroot against the toolbox services until /health answers
	@scripts/image.sh test

chaos: toolbox build         ## own Postgres (:25442) + Redis (:26389), 2 APIs + 2 workers; kill a worker, restart Redis and Postgres; prints the figures
	@$(IN) go run ./cmd/chaos

clean:
	rm -rf bin
