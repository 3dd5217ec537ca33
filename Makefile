# tshop — plain GNU Makefile.  make, make check, make demo, make bench,
# make install PREFIX=/usr/local DESTDIR=...; make check SANITIZE=1 builds
# with -fsanitize=address,undefined,float-cast-overflow; make fuzz runs the
# libFuzzer targets of tests/fuzz (clang), FUZZ_SECONDS each.
VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
PKG      = sqlite3 libcurl libcjson libcrypto libpcre2-8

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -Wall -Wextra -Wno-unused-parameter
CPPFLAGS += -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -DTSHOP_VERSION='"$(VERSION)"' \
	    -Ilib -Icmd/common $(shell pkg-config --cflags $(PKG))
LDLIBS  += $(shell pkg-config --libs $(PKG)) -lcsv -lm
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined,float-cast-overflow
LDFLAGS += -fsanitize=address,undefined,float-cast-overflow
# ASan reports (memory errors, leaks) go to files, so tests/run.sh fails the
# test that caused one even when it hid stderr; UBSan (which ignores
# log_path next to ASan) aborts the program with its report on stderr.
check: export TSHOP_SANITIZER_LOG = $(CURDIR)/tests/sanitizer-log
check: export ASAN_OPTIONS = log_path=$(CURDIR)/tests/sanitizer-log/asan
check: export UBSAN_OPTIONS = print_stacktrace=1
endif
# Every object and binary depends on .build-flags, which holds the compiler
# and flags and is rewritten only when they change: `make check SANITIZE=1`
# after `make` (or back) rebuilds everything instead of mixing objects.
BUILD_FLAGS = $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
ifneq ($(file <.build-flags),$(BUILD_FLAGS))
$(file >.build-flags,$(BUILD_FLAGS))
endif
# A rule with no recipe: on a clean tree make read the directory before
# the line above wrote the file, and without a rule it would call every
# target that depends on it impossible to make.
.build-flags: ;

LIB_SRC  = $(sort $(wildcard lib/*.c))
LIB_OBJ  = $(LIB_SRC:.c=.o)
CLI_SRC  = $(wildcard cmd/common/*.c)
CLI_OBJ  = $(CLI_SRC:.c=.o)
CMD_SRC  = $(sort $(wildcard cmd/*.c))
PROGS    = $(patsubst cmd/%.c,bin/%,$(CMD_SRC))
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNITS    = $(patsubst tests/unit/%.c,tests/unit/bin/%,$(UNIT_SRC))
MANS     = $(wildcard man/*.[1-8])

all: $(PROGS)

lib/libtshop.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

lib/%.o: lib/%.c $(wildcard lib/*.h) .build-flags
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

cmd/common/%.o: cmd/common/%.c cmd/common/cli.h $(wildcard lib/*.h) .build-flags
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bin/%: cmd/%.c $(CLI_OBJ) lib/libtshop.a $(wildcard lib/*.h) cmd/common/cli.h .build-flags
	@mkdir -p bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) lib/libtshop.a $(LDLIBS)

tests/unit/bin/%: tests/unit/%.c tests/unit/unit.h lib/libtshop.a .build-flags
	@mkdir -p tests/unit/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libtshop.a $(LDLIBS)

check: $(PROGS) $(UNITS)
	@$(if $(filter 1,$(SANITIZE)),rm -rf tests/sanitizer-log && mkdir tests/sanitizer-log && )sh tests/run.sh $(UNITS)

# make fuzz: each libFuzzer target tests/fuzz/fuzz_NAME.c (clang; the
# library rebuilt with coverage into tests/fuzz/obj) runs FUZZ_SECONDS.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS   = -g -O1 -std=c11 -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
		-fsanitize=fuzzer-no-link,address,undefined
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_OBJ      = $(patsubst lib/%.c,tests/fuzz/obj/%.o,$(sort $(LIB_SRC) lib/tracking_data.c))

fuzz:
	@sh scripts/install-deps --fuzz --check || sh scripts/install-deps --fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(addprefix tests/fuzz/bin/,$(FUZZ_NAMES))
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

tests/fuzz/obj/%.o: lib/%.c $(wildcard lib/*.h)
	@mkdir -p tests/fuzz/obj
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

tests/fuzz/bin/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	@mkdir -p tests/fuzz/bin
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LDLIBS)

# make check replays every seed and saved crash through the same targets (gcc).
tests/unit/bin/test_fuzz: $(wildcard tests/fuzz/*.[ch])

lint-man:
	mandoc -Tlint -W warning $(MANS)

demo:
	@sh scripts/install-deps --check || sh scripts/install-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo

bench: export BENCH_BUILD = $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
bench: export BENCH_LDLIBS = $(LDLIBS)
bench: $(PROGS) lib/libtshop.a
	@sh scripts/bench

install: $(PROGS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/

clean:
	rm -rf bin lib/*.o lib/libtshop.a cmd/common/*.o tests/unit/bin demo .build-flags \
	    tests/fuzz/bin tests/fuzz/obj tests/fuzz/work

.PHONY: all check fuzz fuzz-run lint-man demo bench install clean
.SECONDARY:
include mk/tracking.mk
