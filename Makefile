# Makefile for tec_sovereignty (PGXS)
#
# Sources live in src/ by layer (README.md, "Architecture"): common/,
# domain/, audit/, enforce/, export/, and src/hooks.c with the entry point
# src/tec_sovereignty.c.  The install script is assembled from the SQL
# fragments kept next to their C folders, in the explicit order of
# SQL_PARTS; sql/ holds only the pg_regress inputs.

EXTENSION  = tec_sovereignty
MODULE_big = tec_sovereignty
SRCS       = $(sort $(wildcard src/*.c src/*/*.c))
OBJS       = $(patsubst %.c,%.o,$(SRCS))
PGFILEDESC = "tec_sovereignty - database sovereignty for PostgreSQL"

# The install script, in this order: each fragment may use what the ones
# before it created.
SQL_PARTS  = src/common/header.sql src/domain/registry.sql \
             src/domain/lifecycle.sql src/domain/templates.sql \
             src/domain/templates_more.sql src/domain/views.sql \
             src/enforce/enforce.sql src/audit/audit.sql src/export/kinds.sql src/export/export.sql \
             src/export/transfer.sql src/export/import.sql src/export/move.sql src/prisma/types.sql src/prisma/prisma.sql \
             src/prisma/connect.sql
DATA_built = $(EXTENSION)--1.0.sql

# pg_regress suites: init first (creates the extension), then one file per
# feature in name order; each file cleans up after itself and can also run
# alone after init (test/run_tests.sh regress NAME).
REGRESS      = init $(filter-out init,$(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql))))

ISOLATION      = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test

TAP_TESTS   = 1
PROVE_TESTS = $(sort $(wildcard test/t/*.pl))

PG_CPPFLAGS = -I$(srcdir)/src -I$(libpq_srcdir)
# Ed25519 of the audit trail's signed digests (src/audit/digest.c); the
# server links the same OpenSSL.
SHLIB_LINK += -lcrypto
# tec_move_domain() talks to the target and back to its own database (src/export/move.c).
SHLIB_LINK_INTERNAL = $(libpq)
# Warnings are errors for developers and CI (make WERROR= to relax them);
# an assert-enabled build: make PG_CFLAGS_EXTRA=-DUSE_ASSERT_CHECKING.
WERROR     ?= -Werror
PG_CFLAGS   = -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare $(WERROR) $(PG_CFLAGS_EXTRA)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(EXTENSION)--1.0.sql: $(SQL_PARTS)
	cat $^ > $@

# The streaming export client (src/client/tec_export/, a PGXS PROGRAM with
# its own Makefile: PGXS cannot build a PROGRAM and a MODULE_big from one
# OBJS).  make, make install (into $(bindir)), make clean and make uninstall
# carry it along; command-line variables (DESTDIR, PG_CONFIG, WERROR,
# PG_CFLAGS_EXTRA) reach it through MAKEFLAGS.
CLIENT_DIR = src/client/tec_export
.PHONY: client install-client clean-client uninstall-client
all: client
client:
	$(MAKE) -C $(CLIENT_DIR) PG_CONFIG=$(PG_CONFIG)
install: install-client
install-client: client
	$(MAKE) -C $(CLIENT_DIR) PG_CONFIG=$(PG_CONFIG) install
clean: clean-client
clean-client:
	$(MAKE) -C $(CLIENT_DIR) PG_CONFIG=$(PG_CONFIG) clean
uninstall: uninstall-client
uninstall-client:
	$(MAKE) -C $(CLIENT_DIR) PG_CONFIG=$(PG_CONFIG) uninstall

# The commands of the README.
.PHONY: demo test test-core
demo:
	bash test/demo.sh

test:
	bash test/run_tests.sh

# PostgreSQL's own regress and isolation suites with and without the library
# (test/core/run.sh).  TESTS="join_hash deadlock-parallel" runs only those
# tests; CORE_BASELINE=reuse takes the baseline from the cache.
test-core:
	bash test/core/run.sh $(if $(TESTS),--tests "$(TESTS)") $(if $(filter reuse,$(CORE_BASELINE)),--reuse-baseline)

# PGXS does not track header dependencies: a changed shared-memory struct
# in a header must rebuild every object that uses it.
$(OBJS): $(wildcard src/*.h src/*/*.h)
