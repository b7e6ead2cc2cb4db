# Build, run and test the Barbican-compatible key manager.
# `make run` and `make test` install what is missing (as root), so they work
# on a fresh Debian 12 machine.

CXX      ?= g++
SANITIZE ?=
PORT     ?= 9311
PREFIX   ?= /usr
DESTDIR  ?=

ifeq ($(SANITIZE),)
BUILD    := build
OPTFLAGS := -O2 -g
else
BUILD    := build/san
OPTFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZE) -fno-sanitize-recover=all
endif

CXXFLAGS := -std=c++20 $(OPTFLAGS) -Wall -Wextra -pthread -I. -I/usr/include/postgresql -MMD -MP
# ccache, when installed, shares compiled objects between build folders.
CCACHE   := $(shell command -v ccache 2>/dev/null)
# Sources and include paths are relative, so objects of two clones of the
# repository are the same and may share cache entries.
export CCACHE_NOHASHDIR := 1
LDFLAGS  := $(if $(SANITIZE),-fsanitize=$(SANITIZE),) -pthread
LDLIBS   := -lfcgi -lsoci_postgresql -lsoci_core -lpq -lhiredis -lcryptopp -lboost_json -lboost_program_options -lcurl -ldl

CORE_SRC  := $(wildcard core/*.cpp)
DB_SRC    := $(wildcard db/*.cpp) $(BUILD)/gen/migrations.cpp
FCGI_SRC  := $(filter-out fcgi/main.cpp,$(wildcard fcgi/*.cpp))
JOBS_SRC  := $(filter-out jobs/main.cpp,$(wildcard jobs/*.cpp jobs/tasks/*.cpp))
ADMIN_SRC := $(filter-out db/admin/main.cpp,$(wildcard db/admin/*.cpp))
TEST_SRC  := $(filter-out tests/fuzz/%,$(wildcard tests/*.cpp tests/*/*.cpp))
MIGRATIONS := $(sort $(wildcard db/migrations/V*.sql))

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(patsubst $(BUILD)/%,%,$(1)))

CORE_OBJ  := $(call obj,$(CORE_SRC))
DB_OBJ    := $(call obj,$(DB_SRC))
FCGI_OBJ  := $(call obj,$(FCGI_SRC))
JOBS_OBJ  := $(call obj,$(JOBS_SRC))
ADMIN_OBJ := $(call obj,$(ADMIN_SRC))
TEST_OBJ  := $(call obj,$(TEST_SRC))

BIN := $(BUILD)/bin
BINARIES := $(BIN)/barbican-fcgi $(BIN)/barbican-job-runner $(BIN)/barbican-admin $(BIN)/barbican-tests

.PHONY: all build deps run stop test unit bench clean install fuzz
all: build

deps:
	@scripts/deps.sh

build: $(BINARIES)

$(BUILD)/gen/migrations.cpp: $(MIGRATIONS) scripts/embed_migrations.sh
	@mkdir -p $(dir $@)
	scripts/embed_migrations.sh $@ $(MIGRATIONS)

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.cpp
	@mkdir -p $(dir $@)
	$(CCACHE) $(CXX) $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CCACHE) $(CXX) $(CXXFLAGS) -c $< -o $@

$(BIN)/barbican-fcgi: $(call obj,fcgi/main.cpp) $(FCGI_OBJ) $(JOBS_OBJ) $(DB_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/barbican-job-runner: $(call obj,jobs/main.cpp) $(JOBS_OBJ) $(DB_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/barbican-admin: $(call obj,db/admin/main.cpp) $(ADMIN_OBJ) $(DB_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/barbican-tests: $(TEST_OBJ) $(FCGI_OBJ) $(JOBS_OBJ) $(ADMIN_OBJ) $(DB_OBJ) $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

run: deps
	@$(MAKE) --no-print-directory build
	@PORT=$(PORT) BIN_DIR=$(CURDIR)/$(BIN) scripts/stack.sh start $(CURDIR)/var

stop:
	@scripts/stack.sh stop $(CURDIR)/var

test: deps
	@$(MAKE) --no-print-directory build
	@scripts/run_tests.sh

unit: build
	$(BIN)/barbican-tests '[unit]'

# libFuzzer targets of tests/fuzz/, built with clang into build/fuzz/ and run
# for FUZZ_SECONDS each (default 60); see scripts/fuzz.sh.
fuzz: deps
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) scripts/fuzz.sh

bench: deps
	@$(MAKE) --no-print-directory build
	@scripts/bench.sh

install: build
	@PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) BIN_DIR=$(BIN) scripts/install.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
