# subhost - GNU make + pkg-config build.
#   make               build subhost and the static subhost-init
#   make check         install test deps (as root), build, run unit + integration tests
#   make demo          install deps, build, install, boot a demonstration subhost
#   make install       honours DESTDIR and PREFIX
#   make SANITIZE=1    build with AddressSanitizer + UBSan (subhost only; pid 1 stays static)
#   make fuzz          fuzz the config parser with libFuzzer (clang) for FUZZ_TIME seconds
VERSION    := 0.1.0
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/subhost
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libnl-route-3.0 libnl-3.0 libcap libseccomp
WARN       := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter \
              -Wmissing-prototypes -Wstrict-prototypes -Wvla -Wimplicit-fallthrough
CFLAGS     ?= -O2 -g
BASEFLAGS  := -std=gnu17 $(WARN) -D_GNU_SOURCE -fstack-protector-strong \
              -D_FORTIFY_SOURCE=2 -fPIE -MMD -MP \
              -DSUBHOST_VERSION='"$(VERSION)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' \
              -DSYSCONFDIR='"$(SYSCONFDIR)"'
LDFLAGS    ?=
BASELD     := -pie -Wl,-z,relro,-z,now -Wl,--as-needed

ifeq ($(SANITIZE),1)
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BUILDDIR   ?= build-san
else
SANFLAGS   :=
BUILDDIR   ?= build
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# pid 1 is linked statically; musl keeps it small when musl-gcc is there.
INIT_CC    ?= $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
INIT_CFLAGS := -std=gnu17 $(WARN) -D_GNU_SOURCE -Os -s -fstack-protector-strong \
              -D_FORTIFY_SOURCE=2 -DSUBHOST_VERSION='"$(VERSION)"'

INIT_SRCS  := $(wildcard src/init*.c)
LIB_SRCS   := $(filter-out src/main.c $(INIT_SRCS),$(wildcard src/*.c))
LIB_OBJS   := $(LIB_SRCS:src/%.c=$(BUILDDIR)/%.o)
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILDDIR)/tests/%)
ALIASES    := overlay-boot overlay-stop overlay-go

all: $(BUILDDIR)/subhost $(BUILDDIR)/subhost-init

$(BUILDDIR)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(BUILDDIR)/subhost: $(LIB_OBJS) $(BUILDDIR)/main.o
	$(CC) $(BASELD) $(LDFLAGS) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILDDIR)/subhost-init: $(INIT_SRCS) $(wildcard src/init*.h)
	@mkdir -p $(@D)
	$(INIT_CC) $(INIT_CFLAGS) -static -o $@ $(INIT_SRCS)

$(BUILDDIR)/tests/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -Isrc $(BASELD) -o $@ $< $(LIB_OBJS) \
		$(PKG_LIBS) $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka) $(SANFLAGS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "# $$t"; $$t; done

# The README's test command: dependencies, build, then unit and integration
# tests in one prove run (every test file speaks TAP; the unit binaries get
# a two-line wrapper) so the last lines are one trustworthy summary.
TEST_ENV = CMOCKA_MESSAGE_OUTPUT=TAP SUBHOST_BIN=$(abspath $(BUILDDIR))/subhost \
	   SUBHOST_INIT=$(abspath $(BUILDDIR))/subhost-init
UNIT_TAPS := $(UNIT_BINS:%=%.t)

$(BUILDDIR)/tests/%.t: $(BUILDDIR)/tests/%
	printf '#!/bin/sh\nexec %s\n' "$(abspath $<)" > $@

check: deps
	$(MAKE) all $(UNIT_TAPS)
	$(TEST_ENV) prove --timer $(UNIT_TAPS) tests/integration/*.t

unit-tap: $(UNIT_TAPS)
	$(TEST_ENV) prove $(UNIT_TAPS)

integration-tap: all
	$(TEST_ENV) prove --timer tests/integration/*.t

deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		sh tools/install-deps.sh; \
	else echo "deps: not root or no apt-get; assuming build dependencies are installed"; fi

man: $(patsubst man/%.scd,$(BUILDDIR)/man/%,$(wildcard man/*.scd))
$(BUILDDIR)/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc < $< > $@

install: all man
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/subhost
	install -m 0755 $(BUILDDIR)/subhost $(DESTDIR)$(SBINDIR)/subhost
	install -m 0755 $(BUILDDIR)/subhost-init $(DESTDIR)$(LIBEXECDIR)/subhost-init
	for a in $(ALIASES); do ln -sf subhost $(DESTDIR)$(SBINDIR)/$$a; done
	for p in $(BUILDDIR)/man/*.[0-9]; do s=$${p##*.}; \
		install -d $(DESTDIR)$(MANDIR)/man$$s; install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d -m 0700 $(DESTDIR)/var/lib/subhost

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/subhost $(DESTDIR)$(LIBEXECDIR)/subhost-init
	for a in $(ALIASES); do rm -f $(DESTDIR)$(SBINDIR)/$$a; done
	rm -f $(DESTDIR)$(MANDIR)/man8/subhost.8 $(DESTDIR)$(MANDIR)/man8/subhost-init.8 \
		$(DESTDIR)$(MANDIR)/man5/subhost.conf.5

demo: deps
	$(MAKE) all man
	$(MAKE) install
	sh tools/demo.sh

# libFuzzer on the config parser: not part of check (it runs until
# FUZZ_TIME is up); new inputs go to build-fuzz/corpus, crashes to build-fuzz/.
FUZZ_TIME  ?= 60
FUZZ_DIR   := build-fuzz
FUZZ_CC    ?= clang
FUZZ_FLAGS := -std=gnu17 $(WARN) -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -DSUBHOST_VERSION='"$(VERSION)"' -DLIBEXECDIR='"$(LIBEXECDIR)"' \
              -DSYSCONFDIR='"$(SYSCONFDIR)"'

$(FUZZ_DIR)/fuzz_config: tests/fuzz/fuzz_config.c $(LIB_SRCS) $(wildcard src/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(PKG_CFLAGS) -Isrc -o $@ tests/fuzz/fuzz_config.c $(LIB_SRCS) $(PKG_LIBS)

fuzz: $(FUZZ_DIR)/fuzz_config
	@mkdir -p $(FUZZ_DIR)/corpus
	cd $(FUZZ_DIR) && ./fuzz_config -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=10 \
		-print_final_stats=1 corpus $(abspath tests/fuzz/corpus)

lint:
	cppcheck --std=c11 --enable=warning,portability,performance --error-exitcode=1 \
		--inline-suppr --quiet -D_GNU_SOURCE -Isrc src/

clean:
	rm -rf build build-san build-clang build-fuzz

-include $(wildcard $(BUILDDIR)/*.d)

.PHONY: all unit check unit-tap integration-tap deps man install uninstall demo lint clean fuzz
