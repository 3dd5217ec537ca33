# tshop — plain GNU Makefile.  make, make check, make demo, make bench,
# make install PREFIX=/usr/local DESTDIR=...; make check SANITIZE=1 builds
# with -fsanitize=address,undefined.
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
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

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

lib/%.o: lib/%.c $(wildcard lib/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

cmd/common/%.o: cmd/common/%.c cmd/common/cli.h $(wildcard lib/*.h)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

bin/%: cmd/%.c $(CLI_OBJ) lib/libtshop.a $(wildcard lib/*.h) cmd/common/cli.h
	@mkdir -p bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) lib/libtshop.a $(LDLIBS)

tests/unit/bin/%: tests/unit/%.c tests/unit/unit.h lib/libtshop.a
	@mkdir -p tests/unit/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< lib/libtshop.a $(LDLIBS)

check: $(PROGS) $(UNITS)
	@sh tests/run.sh $(UNITS)

lint-man:
	mandoc -Tlint -W warning $(MANS)

demo:
	@sh scripts/install-deps --check || sh scripts/install-deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo

bench: $(PROGS)
	@sh scripts/bench

install: $(PROGS)
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	cp $(PROGS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/

clean:
	rm -rf bin lib/*.o lib/libtshop.a cmd/common/*.o tests/unit/bin demo

.PHONY: all check lint-man demo bench install clean
.SECONDARY:
include mk/tracking.mk
