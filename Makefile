# Loom developer entry points. Every target is idempotent.
#   make demo   deps + build + run the main job on the bundled example
#   make test   deps + build + every test suite (lit + unit tests)
.PHONY: all deps configure build test check-lit check-unit demo docs format clean

BUILD_DIR ?= build
BUILD_TYPE ?= Release
PYTHON ?= python3
LLVM_DIR ?= /usr/lib/llvm-22
JOBS ?= $(shell nproc)
CXX_COMPILER ?= $(LLVM_DIR)/bin/clang++
# Let ccache hit across checkouts (CI builds a fresh clone on the same machine).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := true
C_COMPILER ?= $(LLVM_DIR)/bin/clang

all: build

deps:
	PYTHON=$(PYTHON) bash .ci/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -G Ninja -S . -B $(BUILD_DIR) \
	  -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DCMAKE_C_COMPILER=$(C_COMPILER) -DCMAKE_CXX_COMPILER=$(CXX_COMPILER) \
	  -DMLIR_DIR=$(LLVM_DIR)/lib/cmake/mlir \
	  -DPython3_EXECUTABLE=$$(command -v $(PYTHON))

configure: $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

check-lit: build
	$(LLVM_DIR)/bin/lit -sv $(BUILD_DIR)/test --xunit-xml-output=$(BUILD_DIR)/lit-results.xml
	$(PYTHON) .ci/lit-summary.py $(BUILD_DIR)/lit-results.xml

check-unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure

test: deps
	$(MAKE) build
	$(MAKE) check-unit
	$(MAKE) check-lit

demo: deps
	$(MAKE) build
	$(PYTHON) examples/demo.py --build-dir $(BUILD_DIR)

docs: build
	cmake --build $(BUILD_DIR) --target loom-doc
	mkdir -p docs/generated
	cp $(BUILD_DIR)/docs/Dialects/*.md $(BUILD_DIR)/docs/Passes/*.md docs/generated/

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format-22 -i

clean:
	rm -rf $(BUILD_DIR)
