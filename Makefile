# subhost - GNU make + pkg-config build.
#   make               build subhost and the static subhost-init
#   make check         install test deps (as root), build, run unit + integration tests
#   make demo          install deps, build, install, boot a demonstration subhost
#   make install       honours DESTDIR and PREFIX; make uninstall undoes it
#   make deb           the Debian package, into build/deb/
#   make SANITIZE=1    build with AddressSanitizer + UBSan (subhost only; pid 1 stays static)
#   make fuzz          fuzz the config parser with libFuzzer (clang) for FUZZ_TIME seconds
VERSION    := 0.1.0
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/lib/subhost
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
# systemd reads /usr/local/lib/systemd/system too; Debian 12 packages use
# /lib/systemd/system (debian/rules says so).
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS       := libnl-route-3.0 libnl-3.0 libcap libseccomp blkid
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
# overlay-boot's program names (src/main.c maps each to a command): make
# install links each to subhost, its man page and its completion.
ALIASES    := overlay-boot overlay-stop overlay-go overlay-clean-root overlay-share \
              overlay-diskfile

all: $(BUILDDIR)/subhost $(BUILDDIR)/subhost-init

$(BUILDDIR)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(BASEFLAGS) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) -c -o $@ $<

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

# The init script and the units name the installed subhost.
ETC_GEN    := $(BUILDDIR)/etc/subhosts $(BUILDDIR)/etc/subhost@.service $(BUILDDIR)/etc/subhosts.service
ETC_SED     = @mkdir -p $(@D); sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $< > $@
$(BUILDDIR)/etc/subhosts: etc/init.d/subhosts.in FORCE
	$(ETC_SED)
$(BUILDDIR)/etc/%.service: etc/systemd/%.service.in FORCE
	$(ETC_SED)

# Installed besides the binaries; uninstall removes the same list.
UNITS      := subhost@.service subhosts.service
MAN_PAGES  := man8/subhost.8 man8/subhost-init.8 man5/subhost.conf.5

install: all man $(ETC_GEN)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/subhost \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSCONFDIR)/init.d $(DESTDIR)$(SYSCONFDIR)/default \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILDDIR)/subhost $(DESTDIR)$(SBINDIR)/subhost
	install -m 0755 $(BUILDDIR)/subhost-init $(DESTDIR)$(LIBEXECDIR)/subhost-init
	for p in $(MAN_PAGES); do install -m 0644 $(BUILDDIR)/man/$${p#*/} $(DESTDIR)$(MANDIR)/$$p; done
	install -m 0644 completion/subhost.bash $(DESTDIR)$(BASHCOMPDIR)/subhost
	for a in $(ALIASES); do \
		ln -sf subhost $(DESTDIR)$(SBINDIR)/$$a; \
		ln -sf subhost.8 $(DESTDIR)$(MANDIR)/man8/$$a.8; \
		ln -sf subhost $(DESTDIR)$(BASHCOMPDIR)/$$a; done
	install -m 0755 $(BUILDDIR)/etc/subhosts $(DESTDIR)$(SYSCONFDIR)/init.d/subhosts
	for u in $(UNITS); do install -m 0644 $(BUILDDIR)/etc/$$u $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	@# an edited /etc/default/subhost stays as it is
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/subhost ] || \
		install -m 0644 etc/default/subhost $(DESTDIR)$(SYSCONFDIR)/default/subhost
	install -d -m 0700 $(DESTDIR)/var/lib/subhost

# Removes what install put there; a changed /etc/default/subhost, confs in
# /etc/subhost and subhosts in /var/lib/subhost stay.
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/subhost $(DESTDIR)$(LIBEXECDIR)/subhost-init
	for a in $(ALIASES); do rm -f $(DESTDIR)$(SBINDIR)/$$a $(DESTDIR)$(MANDIR)/man8/$$a.8 \
		$(DESTDIR)$(BASHCOMPDIR)/$$a; done
	for p in $(MAN_PAGES); do rm -f $(DESTDIR)$(MANDIR)/$$p; done
	rm -f $(DESTDIR)$(BASHCOMPDIR)/subhost $(DESTDIR)$(SYSCONFDIR)/init.d/subhosts
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/$$u; done
	! cmp -s etc/default/subhost $(DESTDIR)$(SYSCONFDIR)/default/subhost || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/default/subhost
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(SYSCONFDIR)/subhost $(DESTDIR)/var/lib/subhost 2>/dev/null

# dpkg-buildpackage writes beside the source tree: build a copy under
# build/deb/ so the packages land there and nothing outside the tree.
DEB_DIR    := $(BUILDDIR)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/subhost-$(VERSION)
	tar -c --exclude='./build*' --exclude=./.git --exclude='./debian/subhost' \
		--exclude='./debian/.debhelper' --exclude='./debian/tmp' . | tar -x -C $(DEB_DIR)/subhost-$(VERSION)
	@# the copy builds with its own defaults, not this make's variables
	cd $(DEB_DIR)/subhost-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -us -uc -b
	@ls $(DEB_DIR)/*.deb

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

.PHONY: all unit check unit-tap integration-tap deps man install uninstall deb demo lint clean fuzz
FORCE:
